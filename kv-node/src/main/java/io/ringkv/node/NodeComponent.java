package io.ringkv.node;

import dagger.BindsInstance;
import dagger.Component;
import jakarta.inject.Singleton;

/** Wires one node from its configuration. */
@Singleton
@Component(modules = NodeModule.class)
public interface NodeComponent {
    /** @return the node, ready to start */
    RingkvNode node();

    /** Creates a component for one node. */
    @Component.Factory
    interface Factory {
        /** @param config the node's settings */
        NodeComponent create(@BindsInstance NodeConfig config);
    }

    /** @return a component for {@code config} */
    static NodeComponent of(NodeConfig config) {
        return DaggerNodeComponent.factory().create(config);
    }
}
