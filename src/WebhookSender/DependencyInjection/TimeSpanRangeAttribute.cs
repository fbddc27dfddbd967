using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace WebhookSender;

/// <summary>
/// The range of a <see cref="TimeSpan"/> option, with <see cref="RangeAttribute"/>'s message. <c>[Range(typeof(TimeSpan), …)]</c>
/// converts its limits through a type converter, which trimming cannot follow: its constructor is flagged (IL2026) on
/// every option that carries it, even though the generated validators never call it. This one parses its limits itself.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute("The field {0} must be between {1} and {2}.")
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    // Like RangeAttribute, no value is not out of range: [Required] says whether one is needed.
    public override bool IsValid(object? value) => value is not TimeSpan time || (time >= Minimum && time <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);
}
