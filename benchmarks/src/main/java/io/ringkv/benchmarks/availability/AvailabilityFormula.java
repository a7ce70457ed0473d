package io.ringkv.benchmarks.availability;

/**
 * The analytic expectation the simulation is checked against, for independent nodes in their steady state. With
 * p = MTTR / (MTBF + MTTR) a node is down a fraction p of the time; the detection delays add two small states:
 * q, down but not judged DOWN yet (it times out), and u, back but still judged DOWN (it is skipped). An owner is
 * <em>usable</em> (believed alive and answering) with probability 1 - x, x = p + u. A substitute is a node
 * believed alive, so it fails to answer with probability s = q / (1 - x + q). Owners fail independently; the
 * ring's own structure (which nodes share keys) does not enter.
 */
public final class AvailabilityFormula {
    private final int n;
    private final int w;
    private final double p;
    private final double q;
    private final double u;
    private final double s;
    private final double h;

    /** @param parameters the run's N, W, MTBF, MTTR and detection delays */
    public AvailabilityFormula(AvailabilityParameters parameters) {
        this.n = parameters.n();
        this.w = parameters.w();
        double mtbf = parameters.mtbfSeconds();
        double mttr = parameters.mttrSeconds();
        double cycles = 1 / (mtbf + mttr);
        this.p = mttr * cycles;
        // an outage of exponential length D is undetected for min(D, delay) and judged DOWN at all if D > delay
        double judged = mttr == 0 ? 0 : Math.exp(-parameters.detectDownSeconds() / mttr);
        this.q = cycles * mttr * (1 - judged);
        this.u = cycles * judged * parameters.detectUpSeconds();
        this.s = q == 0 ? 0 : q / (1 - p - u + q);
        // judged DOWN for longer than the hint window: down for longer than window + detection delay
        double window = parameters.hintWindowSeconds();
        this.h = mttr == 0 || Double.isInfinite(window) ? 0
            : cycles * mttr * Math.exp(-(window + parameters.detectDownSeconds()) / mttr);
    }

    /** @return the fraction of time a node is down, p */
    public double p() {
        return p;
    }

    /** @return P(a node is down and not judged DOWN yet) */
    public double q() {
        return q;
    }

    /** @return P(a node is back but still judged DOWN) */
    public double u() {
        return u;
    }

    /** @return P(a node believed alive, such as a substitute, is down) */
    public double s() {
        return s;
    }

    /** @return P(a node has been judged DOWN for longer than the hint window), 0 without a window */
    public double h() {
        return h;
    }

    /** @return the textbook strict failure probability, fewer than W of N up: 3p²(1-p) + p³ at N=3, W=2 */
    public double strictFailureSimple() {
        return binomialBelow(n, w, 1 - p);
    }

    /** @return the textbook sloppy failure probability, no owner up: p³ at N=3 */
    public double sloppyFailureSimple() {
        return Math.pow(p, n);
    }

    /** @return strict failure with the detection delays: fewer than W of N owners usable (x = p + u) */
    public double strictFailure() {
        return binomialBelow(n, w, 1 - (p + u));
    }

    /**
     * @return sloppy failure with the detection delays: no usable owner, or usable owners plus the answering
     *     substitutes of owners judged DOWN short of W (an owner down but not judged yet, or judged DOWN beyond the
     *     hint window, has none); at N=3, W=2 that is x³ + 3(1-x)(q + h + (x-q-h)s)²
     */
    public double sloppyFailure() {
        double usable = 1 - (p + u);
        double missing = q + h;
        double judgedDown = p + u - missing;
        double failure = 0;
        for (int k = 0; k <= n; k++) {
            for (int j = 0; j <= n - k; j++) {
                double share = multinomial(n, k, j) * Math.pow(usable, k) * Math.pow(judgedDown, j)
                    * Math.pow(missing, n - k - j);
                failure += share * (k == 0 ? 1 : binomialBelow(j, w - k, 1 - s));
            }
        }
        return failure;
    }

    /** @return P(fewer than w successes in n trials); 0 when w &lt;= 0 */
    private static double binomialBelow(int n, int w, double success) {
        double below = 0;
        for (int k = 0; k < w; k++) {
            below += multinomial(n, k, n - k) * Math.pow(success, k) * Math.pow(1 - success, n - k);
        }
        return below;
    }

    private static double multinomial(int n, int k, int j) {
        return factorial(n) / (factorial(k) * factorial(j) * factorial(n - k - j));
    }

    private static double factorial(int value) {
        double product = 1;
        for (int i = 2; i <= value; i++) {
            product *= i;
        }
        return product;
    }
}
