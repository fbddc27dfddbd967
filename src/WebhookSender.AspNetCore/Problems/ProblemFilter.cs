using Microsoft.AspNetCore.Http;

namespace WebhookSender.AspNetCore;

/// <summary>
/// Turns what the core throws for a caller's mistake into problem details: invalid input 400 with its fields, an
/// unknown id 404, a full store 503, a store that lacks a feature 501. Anything else is the host's to handle.
/// </summary>
internal sealed class ProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (WebhookValidationException ex)
        {
            return ApiProblems.Invalid(ex.Errors);
        }
        catch (WebhookDestinationRefusedException ex)
        {
            return ApiProblems.Invalid("url", ex.Message);
        }
        catch (KeyNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (WebhookCapacityExceededException ex)
        {
            return ApiProblems.Failed(StatusCodes.Status503ServiceUnavailable, "The webhook store is full", ex.Message);
        }
        catch (NotSupportedException ex)
        {
            return ApiProblems.Failed(StatusCodes.Status501NotImplemented, "Not supported by the webhook store", ex.Message);
        }
        catch (ArgumentException ex) when (ex.ParamName is not null)
        {
            // The core's guards: a cursor that is not one a list handed out, a page size out of range.
            return ApiProblems.Invalid(ParamField(ex.ParamName), ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal));
        }
    }

    private static string ParamField(string paramName) => paramName switch
    {
        "query" or "cursor" or "Cursor" => "cursor",
        "limit" or "Limit" => "limit",
        _ => ApiProblems.FieldName(paramName),
    };
}
