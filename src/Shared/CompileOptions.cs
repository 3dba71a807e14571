using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ModelBuild.Shared
{
    /// <summary>How an option's text is checked and normalised.</summary>
    internal enum OptionKind
    {
        /// <summary>One of <see cref="CompileOption.Choices"/>, any case.</summary>
        Choice,
        /// <summary>A ';'-list of target names from <see cref="BuildTargets"/>.</summary>
        TargetList,
        /// <summary>A finite number in [Min, Max], '.' as decimal separator.</summary>
        Number,
        /// <summary>A whole number in [Min, Max].</summary>
        WholeNumber,
        /// <summary>A folder path (the caller checks that it exists and makes it absolute).</summary>
        Folder,
        /// <summary>Free text, trimmed, that the compiler parses and checks itself.</summary>
        Text,
        /// <summary>A positive whole number of bytes, or of KB, MB or GB (binary units): <c>4GB</c>.</summary>
        ByteSize,
    }

    /// <summary>One compilation option: the <c>&lt;Model&gt;</c> metadata name, its command-line switch and its rules.</summary>
    internal sealed class CompileOption
    {
        public CompileOption(string name, OptionKind kind, string code, string defaultValue = "", string[]? choices = null,
            double min = 0, double max = double.MaxValue, bool perTarget = false)
        {
            Name = name;
            Kind = kind;
            Code = code;
            Default = defaultValue;
            Choices = choices ?? new string[0];
            Min = min;
            Max = max;
            PerTarget = perTarget;
        }

        /// <summary>The item metadata name (and the compile job's field), e.g. <c>VerifySamples</c>.</summary>
        public string Name { get; }

        public OptionKind Kind { get; }

        /// <summary>The diagnostic a bad value gets, from MSBuild and from the command line alike.</summary>
        public string Code { get; }

        /// <summary>The normalised value an empty one means; empty: none (the compiler decides, e.g. MinCosine per form).</summary>
        public string Default { get; }

        public IReadOnlyList<string> Choices { get; }

        public double Min { get; }

        public double Max { get; }

        /// <summary>Also settable per target as <c>&lt;Target&gt;&lt;Name&gt;</c>, e.g. <c>CudaQuantize</c>.</summary>
        public bool PerTarget { get; }

        /// <summary>The command-line switch: <c>VerifySamples</c> → <c>--verify-samples</c>.</summary>
        public string Switch
        {
            get
            {
                var text = new System.Text.StringBuilder("--");
                for (int i = 0; i < Name.Length; i++)
                {
                    if (i > 0 && char.IsUpper(Name[i]))
                    {
                        text.Append('-');
                    }
                    text.Append(char.ToLowerInvariant(Name[i]));
                }
                return text.ToString();
            }
        }

        /// <summary>The metadata name of this option's override for <paramref name="target"/>: <c>CudaQuantize</c>.</summary>
        public string PerTargetName(string target) => char.ToUpperInvariant(target[0]) + target.Substring(1) + Name;

        /// <summary>What the option accepts, for messages and usage text.</summary>
        public string Accepted => Kind switch
        {
            OptionKind.Choice => string.Join("|", Choices),
            OptionKind.TargetList => string.Join(";", BuildTargets.All.Select(t => t.Name)),
            OptionKind.Number => Max == double.MaxValue ? $"number >= {Format(Min)}" : $"number {Format(Min)}-{Format(Max)}",
            OptionKind.WholeNumber => $"whole number {Format(Min)}-{Format(Max)}",
            OptionKind.Folder => "folder",
            OptionKind.ByteSize => "bytes|<n>KB|<n>MB|<n>GB",
            _ => "text",
        };

        /// <summary>
        /// Checks <paramref name="text"/> (null or blank: the default) and returns its one spelling; false with the
        /// message to report (under <see cref="Code"/>) when the value is not allowed. <paramref name="label"/> names
        /// the option in the message (a per-target override's own name).
        /// </summary>
        public bool TryNormalize(string? text, out string value, out string error, string? label = null)
        {
            label ??= Name;
            string raw = (text ?? "").Trim();
            value = "";
            error = "";
            if (raw.Length == 0)
            {
                value = Default;
                return true;
            }
            switch (Kind)
            {
                case OptionKind.Choice:
                    value = raw.ToLowerInvariant();
                    if (Choices.Contains(value))
                    {
                        return true;
                    }
                    error = $"{label} '{raw}' is not supported. Use one of: {string.Join(", ", Choices)}.";
                    return false;
                case OptionKind.TargetList:
                    string[] requested = raw.Split(';').Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToArray();
                    string? unknown = requested.FirstOrDefault(t => BuildTargets.Find(t) == null);
                    if (unknown != null || requested.Length == 0)
                    {
                        error = $"{label} '{unknown ?? raw}' is not supported. Use a ';'-separated list of: {string.Join(", ", BuildTargets.All.Select(t => t.Name))}.";
                        return false;
                    }
                    // Canonical order, once each: the order of reports and output folders.
                    value = string.Join(";", BuildTargets.All.Select(t => t.Name).Where(requested.Contains));
                    return true;
                case OptionKind.Number:
                case OptionKind.WholeNumber:
                    bool whole = Kind == OptionKind.WholeNumber;
                    if (TryParseNumber(raw, whole, out double number) && number >= Min && number <= Max)
                    {
                        value = whole ? ((long)number).ToString(CultureInfo.InvariantCulture) : number.ToString("R", CultureInfo.InvariantCulture);
                        return true;
                    }
                    string range = Max == double.MaxValue ? $"at least {Format(Min)}" : $"between {Format(Min)} and {Format(Max)}";
                    error = whole
                        ? $"{label} '{raw}' is not a whole number {range}."
                        : $"{label} '{raw}' is not a number {range} (use '.' as the decimal separator).";
                    return false;
                case OptionKind.ByteSize:
                    value = raw.Replace(" ", "").ToUpperInvariant();
                    if (TryParseByteSize(value, out _))
                    {
                        return true;
                    }
                    error = $"{label} '{raw}' is not a size: a whole number of bytes, or of KB, MB or GB (e.g. 4GB, 512MB).";
                    return false;
                default:
                    value = raw;
                    return true;
            }
        }

        /// <summary>A positive whole number with an optional KB/MB/GB suffix (binary units), as bytes.</summary>
        public static bool TryParseByteSize(string text, out long bytes)
        {
            string upper = text.Trim().ToUpperInvariant();
            int shift = upper.EndsWith("GB", StringComparison.Ordinal) ? 30 : upper.EndsWith("MB", StringComparison.Ordinal) ? 20 : upper.EndsWith("KB", StringComparison.Ordinal) ? 10 : 0;
            string number = shift == 0 ? upper : upper.Substring(0, upper.Length - 2).Trim();
            bytes = 0;
            if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > long.MaxValue >> shift)
            {
                return false;
            }
            bytes = value << shift;
            return true;
        }

        private static bool TryParseNumber(string text, bool whole, out double number)
        {
            if (whole)
            {
                bool ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long integer);
                number = integer;
                return ok;
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && !double.IsNaN(number) && !double.IsInfinity(number);
        }

        private static string Format(double number) => number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The option schema: every compilation option of a <c>&lt;Model&gt;</c> item, read by the MSBuild tasks (metadata,
    /// options stamp, compile manifest), the compiler's command line (one switch each) and the compiler's settings, so
    /// both reject the same values with the same code and text. Adding an option is one line here, plus its field
    /// in the compiler's CompileJob and the code that uses it; the SDK's ItemDefinitionGroup is tested against it.
    /// </summary>
    internal static class CompileOptions
    {
        public static readonly CompileOption Quantize = new("Quantize", OptionKind.Choice, "MB4006", "none", new[] { "none", "int8", "fp16", "int4" }, perTarget: true);
        public static readonly CompileOption Targets = new("Targets", OptionKind.TargetList, "MB4007", BuildTargets.Portable);
        public static readonly CompileOption Optimize = new("Optimize", OptionKind.Choice, "MB4009", "extended", new[] { "extended", "basic", "none" });
        public static readonly CompileOption Verify = new("Verify", OptionKind.Choice, "MB4011", "error", new[] { "error", "warn", "off" });
        public static readonly CompileOption MinCosine = new("MinCosine", OptionKind.Number, "MB4012", min: 0, max: 1);
        public static readonly CompileOption MaxAbsError = new("MaxAbsError", OptionKind.Number, "MB4012", min: 0);
        public static readonly CompileOption VerifySamples = new("VerifySamples", OptionKind.WholeNumber, "MB4012", "8", min: 1, max: 1000);
        public static readonly CompileOption SampleInputs = new("SampleInputs", OptionKind.Folder, "MB4013");
        /// <summary>Whole sample shapes by input name, <c>input=1,512;state=2,1,128</c> (the compiler checks them against the model).</summary>
        public static readonly CompileOption SampleShapes = new("SampleShapes", OptionKind.Text, "MB4054");
        /// <summary>Fixed input shapes of the mobile variant only, same syntax as SampleShapes (NNAPI and Core ML take only static shapes).</summary>
        public static readonly CompileOption MobileShapes = new("MobileShapes", OptionKind.Text, "MB4055");
        public static readonly CompileOption Fallback = new("Fallback", OptionKind.Choice, "MB4020", "cpu", new[] { BuildTargets.Portable, "none" });
        /// <summary>Seconds all verification runs of one model may take (empty: the compiler's default, 120).</summary>
        public static readonly CompileOption VerifyTimeout = new("VerifyTimeout", OptionKind.Number, "MB4040", min: 0.001, max: 86400);
        /// <summary>Memory verification may use (empty: the compiler's default, 4GB).</summary>
        public static readonly CompileOption VerifyMemoryLimit = new("VerifyMemoryLimit", OptionKind.ByteSize, "MB4041");

        /// <summary>Every option, in the order of the metadata table in README.md.</summary>
        public static readonly IReadOnlyList<CompileOption> All = new[] { Quantize, Targets, Fallback, Optimize, Verify, MinCosine, MaxAbsError, VerifySamples, SampleInputs, SampleShapes, MobileShapes, VerifyTimeout, VerifyMemoryLimit };

        /// <summary>The per-target overrides, <c>cuda=fp16;x64=int8</c>, as one job field.</summary>
        public const string TargetOverridesField = "TargetQuantize";
    }
}
