using System.Globalization;

namespace Mesh.Tests.Common.E2E;

/// <summary>
/// Whether a weighted split looks like its weights: each request independently goes to the first backend with
/// probability p = weight share, so its count over n requests is Binomial(n, p), mean np, standard deviation
/// sqrt(np(1-p)). A count within <see cref="DefaultZ"/> standard deviations passes. For the kind run's 500 requests
/// at 90/10: mean 450, sigma 6.7, accepted 424..476. A correct split fails that with probability 1.1e-4 (exact
/// binomial tails: 1.0e-4 below 424, 7e-6 above 476; one false failure in ~9,000 runs). 50/50 (what ztunnel's own
/// balancing over the two pods gives without the route) passes with probability 6e-60, all to one backend (500) never,
/// 80/20 with 0.0034; 85/15 is too close to tell apart at this n (it passes 58% of the time).
/// </summary>
public static class SplitJudge
{
    public const double DefaultZ = 4.0;

    public static SplitVerdict Judge(int hits, int total, double share, double z = DefaultZ)
    {
        if (total <= 0 || hits < 0 || hits > total)
        {
            throw new ArgumentOutOfRangeException(nameof(hits), $"{hits} hits of {total} requests is not a count to judge");
        }
        if (share is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(share), $"share {share} is not strictly between 0 and 1 (a split of one backend has nothing to judge)");
        }
        var expected = total * share;
        var sigma = Math.Sqrt(total * share * (1 - share));
        var off = (hits - expected) / sigma;
        var within = Math.Abs(off) <= z;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{hits} of {total} ({100.0 * hits / total:F1}%) to the first backend; expected {expected:F1} ({100 * share:F0}%), sigma {sigma:F2}: {off:+0.00;-0.00} sigma, {(within ? "within" : "outside")} +-{z} sigma ({Math.Ceiling(expected - z * sigma)}..{Math.Floor(expected + z * sigma)})");
        return new SplitVerdict(within, hits, total, expected, sigma, off, description);
    }
}
