package io.ringkv.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.ringkv.architecture.fixture.BadProtocolCode;
import io.ringkv.architecture.fixture.clean.CleanProtocolCode;
import java.lang.module.ModuleReference;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CodeRulesTest {
    private static JavaClasses ringkv;

    @BeforeAll
    static void importRingkvModules() {
        List<Location> locations = RingkvModules.all().stream()
            .map(ModuleReference::location)
            .flatMap(java.util.Optional::stream)
            .map(Location::of)
            .toList();
        ringkv = new ClassFileImporter().importLocations(locations);
    }

    @Test
    void theImportSeesEveryRingkvModule() {
        for (String pkg : List.of("io.ringkv.api", "io.ringkv.ring", "io.ringkv.storage", "io.ringkv.node.cli",
            "io.ringkv.storage.lsm", "io.ringkv.storage.rocksdb")) {
            assertFalse(ringkv.that(com.tngtech.archunit.base.DescribedPredicate.describe("in " + pkg,
                c -> c.getPackageName().equals(pkg))).isEmpty(), pkg + " was not imported");
        }
    }

    @Test
    void protocolModulesReadNoSystemClockStartNoThreadsAndDoNoIo() {
        for (ArchRule rule : CodeRules.protocolRules(CodeRules.PROTOCOL_PACKAGES)) {
            rule.allowEmptyShould(true).check(ringkv);
        }
    }

    @Test
    void onlyTheNodeUsesTheMediaDriverOrNetty() {
        CodeRules.mediaDriverAndNettyOnlyInNode("io.ringkv.api..", "io.ringkv.ring..", "io.ringkv.storage..",
            "io.ringkv.gossip..", "io.ringkv.replication..", "io.ringkv.antientropy..").allowEmptyShould(true)
            .check(ringkv);
    }

    @Test
    void subsystemsOnTheRegistryKeepNoCountersOfTheirOwn() {
        CodeRules.noHandMadeCounters("io.ringkv.gossip..", "io.ringkv.replication..", "io.ringkv.node..",
            "io.ringkv.sim..")
            .allowEmptyShould(true).check(ringkv);
    }

    @Test
    void theCounterRuleCatchesAVolatileCounter() {
        JavaClasses fixture = new ClassFileImporter().importClasses(BadProtocolCode.class, CleanProtocolCode.class);
        assertTrue(CodeRules.noHandMadeCounters("io.ringkv.architecture.fixture").evaluate(fixture).hasViolation());
        assertFalse(CodeRules.noHandMadeCounters("io.ringkv.architecture.fixture.clean..").evaluate(fixture)
            .hasViolation());
    }

    @Test
    void agentThreadCodeNeverCallsTheStorageEngine() {
        CodeRules.noEngineCallsOnTheAgentThread(CodeRules.AGENT_PACKAGES).check(ringkv);
    }

    @Test
    void theStorageRuleCatchesAnEngineCallOutsideAStorageTask() {
        JavaClasses fixture = new ClassFileImporter().importClasses(BadProtocolCode.class, CleanProtocolCode.class);
        assertTrue(CodeRules.noEngineCallsOnTheAgentThread("io.ringkv.architecture.fixture").evaluate(fixture)
            .hasViolation());
        assertFalse(CodeRules.noEngineCallsOnTheAgentThread("io.ringkv.architecture.fixture.clean..")
            .evaluate(fixture).hasViolation());
    }

    @Test
    void apiDependsOnNothingOfOurs() {
        CodeRules.apiDependsOnNothingOfOurs("io.ringkv.api").check(ringkv);
    }

    @Test
    void ringkvPackagesAreFreeOfCycles() {
        slices().matching("io.ringkv.(*)..").should().beFreeOfCycles().check(ringkv);
    }

    @Test
    void theRulesCatchAFixtureThatBreaksThem() {
        JavaClasses fixture = new ClassFileImporter().importClasses(BadProtocolCode.class, CleanProtocolCode.class);
        assertFalse(fixture.isEmpty(), "fixture classes must be importable");
        for (ArchRule rule : CodeRules.protocolRules("io.ringkv.architecture.fixture..")) {
            EvaluationResult result = rule.evaluate(fixture);
            assertTrue(result.hasViolation(), "rule did not fire on the bad fixture: " + rule.getDescription());
        }
        EvaluationResult clean = CodeRules.noSystemClock("io.ringkv.architecture.fixture.clean..").evaluate(fixture);
        assertFalse(clean.hasViolation(), clean.getFailureReport().toString());
    }
}
