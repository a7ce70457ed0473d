package io.ringkv.ring.internal;

/**
 * A small map from an id (node or token, below a fixed bound) to a change of the form
 * {@code fixed + slope * d}, where d is the still open split offset. Reused between evaluations: clearing is
 * O(1) and lookups are O(1) through a stamped index.
 */
final class Changes {
    private final int[] slotOfId;
    private final int[] stampOfId;
    private int stamp = 1;
    private final int[] ids;
    private final double[] fixed;
    private final int[] slopes;
    private int size;

    /** @param idBound every id is below this */
    Changes(int idBound) {
        slotOfId = new int[idBound];
        stampOfId = new int[idBound];
        ids = new int[idBound];
        fixed = new double[idBound];
        slopes = new int[idBound];
    }

    void clear() {
        size = 0;
        stamp++;
    }

    int size() {
        return size;
    }

    int id(int slot) {
        return ids[slot];
    }

    double fixed(int slot) {
        return fixed[slot];
    }

    int slope(int slot) {
        return slopes[slot];
    }

    /** @return the change of slot {@code slot} at split offset {@code d} */
    double at(int slot, double d) {
        return fixed[slot] + slopes[slot] * d;
    }

    void add(int id, double amount, int slope) {
        int slot = slotOf(id);
        fixed[slot] += amount;
        slopes[slot] += slope;
    }

    private int slotOf(int id) {
        if (stampOfId[id] == stamp) {
            return slotOfId[id];
        }
        stampOfId[id] = stamp;
        slotOfId[id] = size;
        ids[size] = id;
        fixed[size] = 0;
        slopes[size] = 0;
        return size++;
    }
}
