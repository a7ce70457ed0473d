/**
 * JMH benchmarks of ringkv's code paths. Run them from the shaded jar: {@code java -jar benchmarks/target/benchmarks.jar}.
 */
open module io.ringkv.benchmarks {
    requires io.ringkv.ring;
    requires io.ringkv.node;
    requires io.ringkv.replication;
    requires io.ringkv.storage;
    requires java.management;
    requires io.aeron.client;
    requires io.aeron.driver;
    requires jmh.core;
    requires HdrHistogram;

    exports io.ringkv.benchmarks.jmh_generated;
}
