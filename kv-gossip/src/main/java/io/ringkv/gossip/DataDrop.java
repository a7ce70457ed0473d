package io.ringkv.gossip;

/**
 * Drops every record a node holds, for {@link NodeLifecycle}: a node removed from the cluster while it was down and
 * started again on its data drops its records before it joins as a new node, as they may predate deletes whose
 * tombstones the cluster has purged since. The lifecycle decides when; the drop decides how (production: the storage
 * engine, on a thread of its own). Agent thread only; a drop runs asynchronously and reports back on the agent
 * thread.
 */
public interface DataDrop {
    /** A node that cannot drop its data: every drop fails, saying so. */
    DataDrop NONE = listener -> listener.failed("this node has no way to drop its records");

    /** Hears how a drop ended; on the agent thread, once per drop. */
    interface Listener {
        /** Every record is gone; {@code records} of them were dropped. */
        void dropped(long records);

        /** The drop failed ({@code why}, in words); records may remain, and the lifecycle tries again later. */
        void failed(String why);
    }

    /** Starts dropping every record; {@code listener} hears once how it ended, on the agent thread. */
    void dropAll(Listener listener);
}
