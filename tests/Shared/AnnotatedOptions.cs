using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace WebhookSender.TestSupport;

/// <summary>
/// Checks a source-generated options validator against the attributes of its options: for every DataAnnotations attribute,
/// nested options (<see cref="ValidateObjectMembersAttribute"/>) included, a value that the attribute itself refuses (asked
/// by reflection, as <c>ValidateDataAnnotations</c> did) must fail the validator with the attribute's own message. Nothing
/// reads the attributes at run time any more, so an attribute the generator skips, or whose message it changes, would
/// otherwise go unnoticed.
/// </summary>
internal static class AnnotatedOptions
{
    /// <summary>What was checked (<c>Path.Member [Attribute]</c>) and what failed, each with what to fix.</summary>
    public sealed record Report(IReadOnlyList<string> Checked, IReadOnlyList<string> Problems);

    public static Report Check<TOptions>(IValidateOptions<TOptions> validator, Func<TOptions> create)
        where TOptions : class
    {
        var checkedRules = new List<string>();
        var problems = new List<string>();

        var defaults = validator.Validate(Options.DefaultName, create());
        if (defaults.Failed)
        {
            problems.Add($"The defaults of {typeof(TOptions).Name} fail: {defaults.FailureMessage}");
        }

        foreach (var (path, property, attribute, owner) in Rules(typeof(TOptions), typeof(TOptions).Name, static root => root, problems))
        {
            string rule = $"{path} [{attribute.GetType().Name.Replace("Attribute", "", StringComparison.Ordinal)}]";
            checkedRules.Add(rule);
            var root = create();
            var target = owner(root);
            if (!TryFindRefused(property, attribute, target, path, out var refused, out var expected))
            {
                problems.Add($"{rule}: no value found that the attribute refuses; add one to AnnotatedOptions.Candidates.");
                continue;
            }

            property.SetValue(target, refused);
            var result = validator.Validate(Options.DefaultName, root);
            if (result.Succeeded)
            {
                problems.Add($"{rule}: {Show(refused)} passes the generated validator, though the attribute refuses it ({expected}).");
            }
            else if (result.FailureMessage?.Contains(expected, StringComparison.Ordinal) != true)
            {
                problems.Add($"{rule}: the generated validator says '{result.FailureMessage}' instead of the attribute's '{expected}'.");
            }
        }

        return new Report(checkedRules, problems);
    }

    private static IEnumerable<(string Path, PropertyInfo Property, ValidationAttribute Attribute, Func<object, object> Owner)> Rules(
        Type type, string path, Func<object, object> owner, List<string> problems)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string propertyPath = $"{path}.{property.Name}";
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                yield return (propertyPath, property, attribute, owner);
            }

            bool nested = property.IsDefined(typeof(ValidateObjectMembersAttribute));
            if (nested)
            {
                foreach (var rule in Rules(property.PropertyType, propertyPath, root => property.GetValue(owner(root))!, problems))
                {
                    yield return rule;
                }
            }
            else if (property.PropertyType != typeof(string) && HasRules(property.PropertyType))
            {
                problems.Add($"{propertyPath} has validation attributes inside but no [ValidateObjectMembers]: they are never checked.");
            }
        }
    }

    private static bool HasRules(Type type) =>
        type.IsClass && type.Assembly.GetName().Name?.StartsWith("WebhookSender", StringComparison.Ordinal) == true &&
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.IsDefined(typeof(ValidationAttribute), inherit: true));

    // The first candidate that the attribute refuses, and the message it refuses it with, shown under the same name the
    // generated validator uses (the options type, then the property path).
    private static bool TryFindRefused(PropertyInfo property, ValidationAttribute attribute, object target, string path, out object? refused, out string expected)
    {
        foreach (var candidate in Candidates(attribute, property.PropertyType))
        {
            var context = new ValidationContext(target) { MemberName = property.Name, DisplayName = path };
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateValue(candidate, context, results, [attribute]))
            {
                refused = candidate;
                expected = results[0].ErrorMessage!;
                return true;
            }
        }

        refused = null;
        expected = "";
        return false;
    }

    private static IEnumerable<object?> Candidates(ValidationAttribute attribute, Type propertyType)
    {
        var type = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
        switch (attribute)
        {
            case RequiredAttribute:
                yield return null;
                if (type == typeof(string))
                {
                    yield return "";
                }

                break;
            case RangeAttribute range when type == typeof(TimeSpan):
                var culture = range.ParseLimitsInInvariantCulture ? CultureInfo.InvariantCulture : CultureInfo.CurrentCulture;
                var min = TimeSpan.Parse((string)range.Minimum, culture);
                var max = TimeSpan.Parse((string)range.Maximum, culture);
                if (min > TimeSpan.MinValue)
                {
                    yield return min - TimeSpan.FromTicks(1);
                }

                if (max < TimeSpan.MaxValue)
                {
                    yield return max + TimeSpan.FromTicks(1);
                }

                break;
            case RangeAttribute range:
                foreach (var number in new[] { Convert.ToDecimal(range.Minimum, CultureInfo.InvariantCulture) - 1, Convert.ToDecimal(range.Maximum, CultureInfo.InvariantCulture) + 1 })
                {
                    if (TryConvert(number, type, out var value))
                    {
                        yield return value;
                    }
                }

                break;
            case StringLengthAttribute length:
                yield return new string('x', length.MaximumLength + 1);
                if (length.MinimumLength > 0)
                {
                    yield return new string('x', length.MinimumLength - 1);
                }

                break;
            case var other when Limit(other, "Minimum") is TimeSpan lowest && Limit(other, "Maximum") is TimeSpan highest:
                // A TimeSpan range of the package's own (trimming-safe) kind.
                yield return lowest - TimeSpan.FromTicks(1);
                yield return highest + TimeSpan.FromTicks(1);
                break;
            case RegularExpressionAttribute:
                yield return "Not Valid!";
                yield return " ";
                yield return "0";
                break;
        }
    }

    private static object? Limit(ValidationAttribute attribute, string name) => attribute.GetType().GetProperty(name)?.GetValue(attribute);

    private static bool TryConvert(decimal number, Type type, out object? value)
    {
        try
        {
            value = Convert.ChangeType(number, type, CultureInfo.InvariantCulture);
            return true;
        }
        catch (OverflowException)
        {
            value = null;
            return false;
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
