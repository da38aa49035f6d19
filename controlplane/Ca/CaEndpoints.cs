using System.Text.Json;
using Mesh.Core.Identity;
using Mesh.Core.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// <c>POST /mesh.ca.v1/sign</c> on the TLS port: see <see cref="CaWire"/>. In this order, so an outsider costs
/// nothing: the bearer token (a header) is authenticated before any of the body is read; a declared length over
/// <see cref="CaWire.MaxSignRequestBytes"/> is refused (413) unread, and Kestrel stops a body that grows past it;
/// only then is the JSON parsed, from a body that cannot exceed the cap.
/// </summary>
public static class CaEndpoints
{
    public static IEndpointConventionBuilder MapCa(this IEndpointRouteBuilder routes) =>
        routes.MapPost(CaWire.SignPath, async (HttpContext ctx, CertificateAuthority ca) =>
        {
            if (!ctx.Request.IsHttps)
            {
                return Results.NotFound();
            }
            var auth = await ca.AuthenticateAsync(BearerToken(ctx), ctx.RequestAborted);
            if (!auth.Ok)
            {
                return Error(SignOutcome.Refused(CaRefusal.Unauthenticated, auth.Error!));
            }
            if (!LimitBody(ctx, CaWire.MaxSignRequestBytes))
            {
                return Error(ca.Refuse(auth.Node ?? auth.OwnIdentity?.ToString(), null, CaRefusal.TooLarge,
                    $"the body is {ctx.Request.ContentLength} bytes; a sign request is at most {CaWire.MaxSignRequestBytes} (one CSR)"));
            }
            CaSignRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync(ctx.Request.Body, CaJsonContext.Default.CaSignRequest, ctx.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Error(ca.Refuse(auth.Node ?? auth.OwnIdentity?.ToString(), null, CaRefusal.TooLarge, $"the body is larger than {CaWire.MaxSignRequestBytes} bytes (one CSR)"));
            }
            catch (JsonException e)
            {
                return Error(ca.Refuse(auth.Node ?? auth.OwnIdentity?.ToString(), null, CaRefusal.MalformedCsr,
                    $"the body is not a sign request {{\"identity\", \"csr\"}}: {UntrustedText.Bound(e.Message)}"));
            }
            if (request is null || request.Identity is null || request.Csr is null)
            {
                return Error(ca.Refuse(auth.Node ?? auth.OwnIdentity?.ToString(), request?.Identity, CaRefusal.MalformedCsr, "the body needs \"identity\" and \"csr\""));
            }
            var outcome = ca.Sign(auth, request);
            return outcome.Response is { } response ? Results.Json(response, CaJsonContext.Default.CaSignResponse) : Error(outcome);
        });

    /// <summary>
    /// Caps the request body at <paramref name="max"/> bytes before anything reads it (Kestrel answers a longer body
    /// with 413 as it arrives). False when the declared Content-Length is already over: refuse without reading.
    /// </summary>
    public static bool LimitBody(HttpContext ctx, long max)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }
        return ctx.Request.ContentLength is not { } length || length <= max;
    }

    private static IResult Error(SignOutcome outcome) =>
        Results.Json(new CaErrorResponse(outcome.Refusal.Code(), UntrustedText.Bound(outcome.Message, CertificateAuthority.MaxMessage)), CaJsonContext.Default.CaErrorResponse,
            statusCode: outcome.Refusal.HttpStatus());

    public static string? BearerToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
