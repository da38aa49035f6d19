using Mesh.Core.Identity;

namespace Mesh.Core.Hbone;

/// <summary>
/// Decides, right after the TLS handshake, whether the verified <paramref name="peer"/> may hold one more HBONE
/// connection: a lease to dispose when the connection ends, or null to refuse it (the connection is closed).
/// </summary>
public delegate IDisposable? HboneAdmission(SpiffeId peer);
