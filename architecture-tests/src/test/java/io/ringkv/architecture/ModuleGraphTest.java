package io.ringkv.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModuleGraphTest {

    @Test
    void everyRingkvModuleIsOnTheModulePath() {
        Set<String> names = ModuleGraph.names(RingkvModules.descriptors());
        assertTrue(names.containsAll(Set.of(ModuleGraph.API, ModuleGraph.RING, ModuleGraph.STORAGE, ModuleGraph.TCK,
            ModuleGraph.GOSSIP, ModuleGraph.REPLICATION, ModuleGraph.ANTIENTROPY, ModuleGraph.NODE, ModuleGraph.SIM)),
            names.toString());
    }

    @Test
    void realModulesFollowTheArchitecture() {
        assertEquals(List.of(), ModuleGraph.violations(RingkvModules.descriptors()));
    }

    @Test
    void apiRequiringAnotherRingkvModuleIsCaught() {
        List<ModuleDescriptor> bad = List.of(
            ModuleDescriptor.newModule(ModuleGraph.API).requires(ModuleGraph.RING).build(),
            ModuleDescriptor.newModule(ModuleGraph.RING).requires(ModuleGraph.API).build());
        List<String> problems = ModuleGraph.violations(bad);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("io.ringkv.api requires io.ringkv.ring")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("module cycle")), problems.toString());
    }

    @Test
    void aProtocolModuleUsingTheMediaDriverOrNettyIsCaught() {
        List<String> problems = ModuleGraph.violations(List.of(
            ModuleDescriptor.newModule(ModuleGraph.GOSSIP).requires("io.aeron.driver").build(),
            ModuleDescriptor.newModule(ModuleGraph.REPLICATION).requires("io.netty.transport").build(),
            ModuleDescriptor.newModule(ModuleGraph.NODE).requires("io.netty.transport").build()));
        assertEquals(2, problems.size(), problems.toString());
    }

    @Test
    void aCoreModuleRequiringAStoragePluginIsCaught() {
        List<String> problems = ModuleGraph.violations(List.of(
            ModuleDescriptor.newModule(ModuleGraph.REPLICATION).requires("io.ringkv.storage.lsm").build(),
            ModuleDescriptor.newModule("io.ringkv.storage.lsm").requires(ModuleGraph.STORAGE).build()));
        assertEquals(List.of("io.ringkv.replication requires io.ringkv.storage.lsm, which ARCHITECTURE.md does not allow"),
            problems);
    }

    @Test
    void mainCodeRequiringTheSimulatorIsCaught() {
        List<String> problems = ModuleGraph.violations(List.of(
            ModuleDescriptor.newModule(ModuleGraph.NODE).requires(ModuleGraph.SIM).build()));
        assertEquals(List.of("io.ringkv.node requires test-only module io.ringkv.sim"), problems);
    }

    @Test
    void aModuleMissingFromTheGraphIsCaught() {
        List<String> problems = ModuleGraph.violations(List.of(ModuleDescriptor.newModule("io.ringkv.misc").build()));
        assertEquals(1, problems.size(), problems.toString());
    }
}
