using System.Text.Json;
using Mesh.Core.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mesh.ControlPlane.Ca;

/// <summary><c>POST /mesh.ca.v1/sign</c> on the TLS port: see <see cref="CaWire"/>.</summary>
public static class CaEndpoints
{
    public static IEndpointConventionBuilder MapCa(this IEndpointRouteBuilder routes) =>
        routes.MapPost(CaWire.SignPath, async (HttpContext ctx, CertificateAuthority ca) =>
        {
            if (!ctx.Request.IsHttps)
            {
                return Results.NotFound();
            }
            CaSignRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync(ctx.Request.Body, CaJsonContext.Default.CaSignRequest, ctx.RequestAborted);
            }
            catch (JsonException e)
            {
                return Error(CaRefusal.MalformedCsr, $"the body is not a sign request {{\"identity\", \"csr\"}}: {e.Message}");
            }
            if (request is null || request.Identity is null || request.Csr is null)
            {
                return Error(CaRefusal.MalformedCsr, "the body needs \"identity\" and \"csr\"");
            }
            var outcome = await ca.SignAsync(BearerToken(ctx), request, ctx.RequestAborted);
            return outcome.Response is { } response
                ? Results.Json(response, CaJsonContext.Default.CaSignResponse)
                : Error(outcome.Refusal, outcome.Message);
        });

    private static IResult Error(CaRefusal refusal, string message) =>
        Results.Json(new CaErrorResponse(refusal.Code(), message), CaJsonContext.Default.CaErrorResponse, statusCode: refusal.HttpStatus());

    public static string? BearerToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
