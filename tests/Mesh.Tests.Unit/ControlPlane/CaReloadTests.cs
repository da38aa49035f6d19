using Mesh.ControlPlane.Ca;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.ControlPlane;

/// <summary>The reload decision for a CA signed elsewhere: what a replaced intermediate must be to sign.</summary>
public sealed class CaReloadTests : IDisposable
{
    private readonly TestCa _root = TestCa.Create("User Root");
    private readonly TestCa _otherRoot = TestCa.Create("Someone Else's Root");
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private readonly UserCaPem _inUse;
    private readonly CaMaterial _current;

    public CaReloadTests()
    {
        var (cert, key) = _root.IssueIntermediatePem("Intermediate 1");
        _inUse = new UserCaPem(cert, key, _root.RootPem, "files");
        _current = UserCaCheck.Parse(_inUse, _now);
    }

    private HashSet<string> Live => [_current.Root.Thumbprint];

    private CaReloadDecision Decide(UserCaPem candidate, string? refused = null) => CaReload.Decide(candidate, _inUse.Sha256, refused, Live, _now);

    [Fact]
    public void Decide_SameContents_Unchanged()
    {
        Assert.IsType<CaReloadDecision.Unchanged>(Decide(_inUse with { Origin = "again" }));
    }

    [Fact]
    public void Decide_SecondIntermediateOfTheSameRoot_AcceptedAndTheBundleKeepsTheUserRoot()
    {
        var (cert, key) = _root.IssueIntermediatePem("Intermediate 2");

        var accept = Assert.IsType<CaReloadDecision.Accept>(Decide(new UserCaPem(cert, key, _root.RootPem, "files")));

        Assert.Contains("Intermediate 2", accept.Material.Signer.Subject);
        Assert.Equal(_current.TrustBundle.Select(c => c.Thumbprint), accept.Material.TrustBundle.Select(c => c.Thumbprint));
        Assert.Equal(_root.Root.Thumbprint, accept.Material.Root.Thumbprint);
    }

    [Fact]
    public void Decide_KeyOfAnotherCertificate_RefusedSayingTheKeyDoesNotMatch()
    {
        var (cert, _) = _root.IssueIntermediatePem("Intermediate 2");

        var refuse = Assert.IsType<CaReloadDecision.Refuse>(Decide(new UserCaPem(cert, _inUse.KeyPem, _root.RootPem, "files")));

        Assert.Contains("the key does not match the certificate", refuse.Reason);
    }

    [Fact]
    public void Decide_IntermediateOfAnotherRoot_RefusedAsNotChainingToTheRoots()
    {
        var (cert, key) = _otherRoot.IssueIntermediatePem("Stray Intermediate");

        var refuse = Assert.IsType<CaReloadDecision.Refuse>(Decide(new UserCaPem(cert, key, _root.RootPem, "files")));

        Assert.Contains("does not chain to the roots given", refuse.Reason);
    }

    [Fact]
    public void Decide_Expired_RefusedSayingWhenItWasValid()
    {
        var (cert, key) = _root.IssueIntermediatePem("Old Intermediate", _now.AddDays(-10), _now.AddMinutes(-1));

        var refuse = Assert.IsType<CaReloadDecision.Refuse>(Decide(new UserCaPem(cert, key, _root.RootPem, "files")));

        Assert.Contains("not now", refuse.Reason);
    }

    [Fact]
    public void Decide_NewRootThatDropsTheLiveOne_RefusedUntilBothAreInTheBundle()
    {
        var (cert, key) = _otherRoot.IssueIntermediatePem("New Intermediate");

        var alone = Decide(new UserCaPem(cert, key, _otherRoot.RootPem, "files"));
        var both = Decide(new UserCaPem(cert, key, _root.RootPem + _otherRoot.RootPem, "files"));

        Assert.Contains("live workload certificates chain to", Assert.IsType<CaReloadDecision.Refuse>(alone).Reason);
        Assert.Equal(2, Assert.IsType<CaReloadDecision.Accept>(both).Material.TrustBundle.Length);
    }

    [Fact]
    public void Decide_ContentsRefusedBefore_UnchangedSoTheRefusalIsLoggedOnce()
    {
        var (cert, _) = _root.IssueIntermediatePem("Intermediate 2");
        var bad = new UserCaPem(cert, _inUse.KeyPem, _root.RootPem, "files");

        Assert.IsType<CaReloadDecision.Refuse>(Decide(bad));
        Assert.IsType<CaReloadDecision.Unchanged>(Decide(bad, refused: bad.Sha256));
    }

    public void Dispose()
    {
        _root.Dispose();
        _otherRoot.Dispose();
    }
}
