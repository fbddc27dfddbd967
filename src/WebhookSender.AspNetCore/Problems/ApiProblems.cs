using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace WebhookSender.AspNetCore;

/// <summary>The RFC 9457 problem details every error of the API answers with.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    /// <summary>A 400 naming each offending field (camelCase, as the JSON has it) with what is wrong and what to do.</summary>
    public static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors) => TypedResults.ValidationProblem(
        errors.ToDictionary(e => FieldName(e.Key), e => e.Value, StringComparer.Ordinal),
        detail: "The request is not valid; nothing was stored. See errors for each field.",
        title: "Invalid request");

    public static ValidationProblem Invalid(string field, string error) => Invalid(new Dictionary<string, string[]> { [field] = [error] });

    public static ProblemHttpResult Failed(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    /// <summary>The JSON name of a field the core names in C# (<c>Authentication.Secret</c> → <c>authentication.secret</c>).</summary>
    public static string FieldName(string field) =>
        string.Join('.', field.Split('.').Select(part => part.Length == 0 || char.IsLower(part[0]) ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
