package io.ringkv.node.cli;

import dagger.Binds;
import dagger.Module;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;

/** Registers each launcher command under the words that invoke it ({@code ring simulate}: a group, then its command). */
@Module
interface CommandsModule {
    @Binds
    @IntoMap
    @StringKey("ring simulate")
    Command ringSimulate(RingSimulateCommand command);

    @Binds
    @IntoMap
    @StringKey("user add")
    Command userAdd(UserAddCommand command);

    @Binds
    @IntoMap
    @StringKey("cluster-key generate")
    Command clusterKeyGenerate(ClusterKeyGenerateCommand command);

    @Binds
    @IntoMap
    @StringKey("cluster")
    Command cluster(ClusterCommand command);

    @Binds
    @IntoMap
    @StringKey("idle-cpu")
    Command idleCpu(IdleCpuCommand command);

    @Binds
    @IntoMap
    @StringKey("node")
    Command node(NodeCommand command);

    @Binds
    @IntoMap
    @StringKey("status")
    Command status(StatusCommand command);

    @Binds
    @IntoMap
    @StringKey("cleanup")
    Command cleanup(CleanupCommand command);

    @Binds
    @IntoMap
    @StringKey("decommission")
    Command decommission(DecommissionCommand command);

    @Binds
    @IntoMap
    @StringKey("removenode")
    Command removeNode(RemoveNodeCommand command);

    @Binds
    @IntoMap
    @StringKey("repair")
    Command repair(RepairCommand command);

    @Binds
    @IntoMap
    @StringKey("metrics")
    Command metrics(MetricsCommand command);

    @Binds
    @IntoMap
    @StringKey("hints")
    Command hints(HintsCommand command);

    @Binds
    @IntoMap
    @StringKey("completion")
    Command completion(CompletionCommand command);

    @Binds
    @IntoMap
    @StringKey("version")
    Command version(VersionCommand command);
}
