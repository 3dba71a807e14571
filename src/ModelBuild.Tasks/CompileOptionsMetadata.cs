using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Reads and checks the compilation metadata of a <c>&lt;Model&gt;</c> item (Quantize, Target, Optimize, Verify…)
    /// and normalises it, so the options stamp and the compiler see one spelling of each value.
    /// </summary>
    internal static class CompileOptionsMetadata
    {
        /// <summary>Targets in their canonical order (the order of the report and of the output folders).</summary>
        public static readonly string[] Targets = { "cpu", "x64", "arm64", "cuda", "mobile" };

        public static readonly string[] QuantizeValues = { "none", "int8", "fp16", "int4" };

        private static readonly string[] OptimizeValues = { "extended", "basic", "none" };

        private static readonly string[] VerifyValues = { "error", "warn", "off" };

        private static readonly string[] FallbackValues = { "cpu", "none" };

        /// <summary>Item metadata this class reads; each is copied to the resolved item (and so into the manifest).</summary>
        public static readonly string[] Names =
        {
            "Quantize", "Targets", "TargetQuantize", "Optimize", "Verify", "MinCosine", "MaxAbsError", "VerifySamples", "SampleInputs", "SampleShapes", "Fallback",
        };

        /// <summary>Sets the normalised metadata on <paramref name="resolved"/>; returns false after logging an error.</summary>
        public static bool TryApply(ITaskItem model, ITaskItem resolved, string projectDirectory, Action<string, string> error, Action<string, string> warning)
        {
            string quantize = Lower(model, "Quantize", "none");
            if (!QuantizeValues.Contains(quantize))
            {
                error("MB4006", $"Quantize '{quantize}' is not supported. Use one of: {string.Join(", ", QuantizeValues)}.");
                return false;
            }

            // "Targets", not the issue's "Target": MSBuild reserves "Target" and rejects it as item metadata (MSB4066).
            string[] requested = Lower(model, "Targets", "cpu").Split(';').Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
            string? unknown = requested.FirstOrDefault(t => !Targets.Contains(t));
            if (unknown != null || requested.Length == 0)
            {
                error("MB4007", $"Targets '{unknown}' is not supported. Use a ';'-separated list of: {string.Join(", ", Targets)}.");
                return false;
            }
            string[] targets = Targets.Where(requested.Contains).ToArray();

            // Per-target override, e.g. CudaQuantize="fp16": only for targets this model is compiled for.
            var overrides = new List<string>();
            foreach (string target in Targets)
            {
                string name = char.ToUpperInvariant(target[0]) + target.Substring(1) + "Quantize";
                string value = Lower(model, name, "");
                if (value.Length == 0)
                {
                    continue;
                }
                if (!QuantizeValues.Contains(value))
                {
                    error("MB4006", $"{name} '{value}' is not supported. Use one of: {string.Join(", ", QuantizeValues)}.");
                    return false;
                }
                if (!targets.Contains(target))
                {
                    warning("MB4008", $"{name} is set but Targets does not include '{target}'; it has no effect.");
                    continue;
                }
                overrides.Add(target + "=" + value);
            }

            string optimize = Lower(model, "Optimize", "extended");
            if (!OptimizeValues.Contains(optimize))
            {
                error("MB4009", $"Optimize '{optimize}' is not supported. Use one of: {string.Join(", ", OptimizeValues)}.");
                return false;
            }

            string verify = Lower(model, "Verify", "error");
            if (!VerifyValues.Contains(verify))
            {
                error("MB4011", $"Verify '{verify}' is not supported. Use one of: {string.Join(", ", VerifyValues)}.");
                return false;
            }

            // Fallback="cpu": accelerator-only targets get a portable cpu variant too (docs/compilation.md).
            string fallback = Lower(model, "Fallback", "cpu");
            if (!FallbackValues.Contains(fallback))
            {
                error("MB4020", $"Fallback '{fallback}' is not supported. Use 'cpu' (ship a CPU variant beside accelerator-only targets) or 'none'.");
                return false;
            }

            if (!TryNumber(model, "MinCosine", 0, 1, error, out string minCosine)
                || !TryNumber(model, "MaxAbsError", 0, double.MaxValue, error, out string maxAbsError)
                || !TryNumber(model, "VerifySamples", 1, 1000, error, out string samples))
            {
                return false;
            }
            if (samples.Length > 0 && !int.TryParse(samples, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                error("MB4012", $"VerifySamples '{samples}' is not a whole number between 1 and 1000.");
                return false;
            }

            string sampleInputs = model.GetMetadata("SampleInputs").Trim();
            if (sampleInputs.Length > 0)
            {
                sampleInputs = Path.GetFullPath(Path.Combine(projectDirectory, sampleInputs));
                if (!Directory.Exists(sampleInputs))
                {
                    error("MB4013", $"SampleInputs folder '{sampleInputs}' does not exist. Point SampleInputs at a folder of ONNX TensorProto .pb files or NumPy .npy/.npz files.");
                    return false;
                }
            }

            resolved.SetMetadata("Quantize", quantize);
            resolved.SetMetadata("Targets", string.Join(";", targets));
            resolved.SetMetadata("TargetQuantize", string.Join(";", overrides));
            resolved.SetMetadata("Optimize", optimize);
            resolved.SetMetadata("Verify", verify);
            resolved.SetMetadata("MinCosine", minCosine);
            resolved.SetMetadata("MaxAbsError", maxAbsError);
            resolved.SetMetadata("VerifySamples", samples);
            resolved.SetMetadata("SampleInputs", sampleInputs);
            resolved.SetMetadata("SampleShapes", model.GetMetadata("SampleShapes").Trim()); // the compiler checks it against the model
            resolved.SetMetadata("Fallback", fallback);
            return true;
        }

        /// <summary>
        /// What in the SampleInputs folder the options stamp records (names, sizes, times), so that changed sample
        /// tensors re-verify the model without the compile target having to list every file as an input.
        /// </summary>
        public static IEnumerable<string> SampleInputsFingerprint(string folder)
        {
            if (folder.Length == 0 || !Directory.Exists(folder))
            {
                return Enumerable.Empty<string>();
            }
            return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".pb", StringComparison.Ordinal) || f.EndsWith(".npy", StringComparison.Ordinal) || f.EndsWith(".npz", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new FileInfo(f))
                .Select(f => $"sample={f.FullName}|{f.Length}|{f.LastWriteTimeUtc.Ticks}");
        }

        private static bool TryNumber(ITaskItem model, string name, double min, double max, Action<string, string> error, out string value)
        {
            value = model.GetMetadata(name).Trim();
            if (value.Length == 0)
            {
                return true;
            }
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || number < min || number > max || double.IsNaN(number))
            {
                string range = max == double.MaxValue ? $"at least {min}" : $"between {min} and {max}";
                error("MB4012", $"{name} '{value}' is not a number {range} (use '.' as the decimal separator).");
                return false;
            }
            value = number.ToString("R", CultureInfo.InvariantCulture);
            return true;
        }

        private static string Lower(ITaskItem model, string name, string fallback)
        {
            string value = model.GetMetadata(name).Trim();
            return value.Length == 0 ? fallback : value.ToLowerInvariant();
        }
    }
}
