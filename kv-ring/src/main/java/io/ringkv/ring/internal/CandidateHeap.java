package io.ringkv.ring.internal;

/** A max-heap of (priority, id) pairs over primitive arrays; no allocation after construction. */
final class CandidateHeap {
    private final double[] priorities;
    private final int[] ids;
    private int size;

    CandidateHeap(int capacity) {
        priorities = new double[capacity];
        ids = new int[capacity];
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Appends without ordering; call {@link #heapify()} before the next peek or poll. */
    void append(int id, double priority) {
        ids[size] = id;
        priorities[size++] = priority;
    }

    /** Restores heap order after {@link #append}s in O(size). */
    void heapify() {
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    void push(int id, double priority) {
        append(id, priority);
        siftUp(size - 1);
    }

    /** @return the highest priority; the heap must not be empty */
    double peekPriority() {
        return priorities[0];
    }

    /** Removes the entry with the highest priority; the heap must not be empty. @return its id */
    int poll() {
        int top = ids[0];
        size--;
        if (size > 0) {
            move(size, 0);
            siftDown(0);
        }
        return top;
    }

    private void siftUp(int index) {
        int i = index;
        while (i > 0 && priorities[(i - 1) / 2] < priorities[i]) {
            swap(i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
    }

    private void siftDown(int index) {
        int i = index;
        while (true) {
            int largest = i;
            int left = 2 * i + 1;
            if (left < size && priorities[left] > priorities[largest]) {
                largest = left;
            }
            if (left + 1 < size && priorities[left + 1] > priorities[largest]) {
                largest = left + 1;
            }
            if (largest == i) {
                return;
            }
            swap(i, largest);
            i = largest;
        }
    }

    private void move(int from, int to) {
        ids[to] = ids[from];
        priorities[to] = priorities[from];
    }

    private void swap(int a, int b) {
        int id = ids[a];
        double priority = priorities[a];
        move(b, a);
        ids[b] = id;
        priorities[b] = priority;
    }
}
