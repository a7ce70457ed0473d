package io.ringkv.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Set;

/**
 * Class-level rules of ARCHITECTURE.md. Each takes the packages it governs, so tests can apply it to a fixture
 * that breaks it and see it fail.
 */
final class CodeRules {
    /** The protocol modules: I/O-free state machines driven by Transport and Clock. */
    static final String[] PROTOCOL_PACKAGES = {
        "io.ringkv.ring..", "io.ringkv.gossip..", "io.ringkv.replication..", "io.ringkv.antientropy.."};

    private static final Set<String> CLOCK_METHODS = Set.of("currentTimeMillis", "nanoTime");
    private static final Set<String> THREAD_TYPES = Set.of(
        "java.lang.Thread", "java.lang.Thread$Builder", "java.lang.Thread$Builder$OfPlatform",
        "java.lang.Thread$Builder$OfVirtual", "java.util.concurrent.Executors", "java.util.concurrent.ForkJoinPool",
        "java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.ScheduledThreadPoolExecutor",
        "java.util.concurrent.CompletableFuture", "java.util.Timer");

    private CodeRules() {
    }

    /** @return every rule for protocol code in {@code packages} */
    static List<ArchRule> protocolRules(String... packages) {
        return List.of(noSystemClock(packages), noThreads(packages), noFileOrSocketIo(packages));
    }

    /** Protocol code reads time from the injected Clock, never from System. */
    static ArchRule noSystemClock(String... packages) {
        return noClasses().that().resideInAnyPackage(packages)
            .should().callMethodWhere(new DescribedPredicate<JavaCall<?>>("System.currentTimeMillis or nanoTime") {
                @Override
                public boolean test(JavaCall<?> call) {
                    return call.getTargetOwner().isEquivalentTo(System.class)
                        && CLOCK_METHODS.contains(call.getName());
                }
            })
            .because("protocol modules take a Clock so the simulator can drive time (ARCHITECTURE.md principle 1)");
    }

    /** Protocol code runs on the node's agent thread: it creates no threads, pools or timers of its own. */
    static ArchRule noThreads(String... packages) {
        return noClasses().that().resideInAnyPackage(packages)
            .should().accessTargetWhere(new DescribedPredicate<JavaAccess<?>>("a thread, pool or timer API") {
                @Override
                public boolean test(JavaAccess<?> access) {
                    return THREAD_TYPES.contains(access.getTargetOwner().getName());
                }
            })
            .because("a node's protocol state is owned by one agent thread (ARCHITECTURE.md principle 3)");
    }

    /** Protocol code does no file or socket I/O: it sends through Transport and stores through the engine. */
    static ArchRule noFileOrSocketIo(String... packages) {
        return noClasses().that().resideInAnyPackage(packages)
            .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.channels..", "java.nio.file..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
            .because("protocol modules are I/O-free (ARCHITECTURE.md principle 1)");
    }

    /** Only the node touches Aeron's media driver or Netty. */
    static ArchRule mediaDriverAndNettyOnlyInNode(String... packagesOutsideNode) {
        return noClasses().that().resideInAnyPackage(packagesOutsideNode)
            .should().dependOnClassesThat().resideInAnyPackage("io.aeron.driver..", "io.netty..")
            .because("only kv-node embeds the media driver and serves clients");
    }

    /**
     * Counters live in the node's one registry: no hand-made counter fields (a {@code volatile long}, an
     * {@code AtomicLong}, a {@code LongAdder}) in the packages that count into it.
     */
    static ArchRule noHandMadeCounters(String... packages) {
        return noFields().that().areDeclaredInClassesThat().resideInAnyPackage(packages)
            .should(new com.tngtech.archunit.lang.ArchCondition<JavaField>("be a hand-made counter") {
                @Override
                public void check(JavaField field, com.tngtech.archunit.lang.ConditionEvents events) {
                    boolean volatileLong = field.getRawType().isEquivalentTo(long.class)
                        && field.getModifiers().contains(JavaModifier.VOLATILE);
                    String type = field.getRawType().getName();
                    boolean counter = volatileLong || type.equals("java.util.concurrent.atomic.AtomicLong")
                        || type.equals("java.util.concurrent.atomic.LongAdder");
                    events.add(new com.tngtech.archunit.lang.SimpleConditionEvent(field, counter,
                        field.getFullName() + (counter ? " is" : " is not") + " a counter of its own"));
                }
            })
            .because("every counter is registered in the node's CounterRegistry, which INFO and /metrics read"
                + " (ARCHITECTURE.md, Threads)");
    }

    /**
     * The classes whose code runs on a node's agent thread: protocol state machines, the agent, its transport, and
     * the Redis-protocol front door (with {@code --front-door-thread agent}).
     */
    static final String[] AGENT_PACKAGES = {
        "io.ringkv.gossip..", "io.ringkv.replication..", "io.ringkv.antientropy..", "io.ringkv.node.membership..",
        "io.ringkv.node.transport..", "io.ringkv.node.service..", "io.ringkv.node.resp.."};

    /** Storage engine methods that touch the disk (or may): only the storage stage's threads call them. */
    private static final Set<String> ENGINE_IO_METHODS = Set.of("get", "put", "delete", "scan", "flush", "metrics",
        "close");

    /**
     * Agent-thread code never calls a storage engine: replica reads and writes, forces and the engine's report run
     * on the storage stage. Storage tasks (classes named {@code *Tasks}, which the stage runs on its own threads) are
     * the one place protocol modules write engine calls.
     */
    static ArchRule noEngineCallsOnTheAgentThread(String... packages) {
        return noClasses().that().resideInAnyPackage(packages).and().haveSimpleNameNotEndingWith("Tasks")
            .should().callMethodWhere(new DescribedPredicate<JavaCall<?>>("a StorageEngine method that does I/O") {
                @Override
                public boolean test(JavaCall<?> call) {
                    return call.getTargetOwner().isAssignableTo("io.ringkv.storage.StorageEngine")
                        && ENGINE_IO_METHODS.contains(call.getName());
                }
            })
            .because("the agent thread never touches a disk: storage work goes through the StorageStage (ARCHITECTURE.md,"
                + " Threads)");
    }

    /** kv-api depends on nothing of ours. */
    static ArchRule apiDependsOnNothingOfOurs(String apiPackage) {
        return noClasses().that().resideInAPackage(apiPackage + "..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.ringkv..")
                .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage(apiPackage + ".."))))
            .because("kv-api is the shared vocabulary every module reads");
    }
}
