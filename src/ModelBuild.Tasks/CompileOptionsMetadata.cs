using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using ModelBuild.Shared;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Reads and checks the compilation metadata of a <c>&lt;Model&gt;</c> item by the shared option schema
    /// (<see cref="CompileOptions"/>) and normalises it, so the options stamp and the compiler see one spelling of each value.
    /// </summary>
    internal static class CompileOptionsMetadata
    {
        /// <summary>Item metadata this class sets on the resolved item (and so into the manifest and the options stamp).</summary>
        public static readonly string[] Names = CompileOptions.All.Select(o => o.Name).Concat(new[] { CompileOptions.TargetOverridesField }).ToArray();

        /// <summary>Sets the normalised metadata on <paramref name="resolved"/>; returns false after logging an error.</summary>
        public static bool TryApply(ITaskItem model, ITaskItem resolved, string projectDirectory, Action<string, string> error, Action<string, string> warning)
        {
            foreach (CompileOption option in CompileOptions.All)
            {
                if (!option.TryNormalize(model.GetMetadata(option.Name), out string value, out string message))
                {
                    error(option.Code, message);
                    return false;
                }
                if (option.Kind == OptionKind.Folder && value.Length > 0)
                {
                    value = Path.GetFullPath(Path.Combine(projectDirectory, value));
                    if (!Directory.Exists(value))
                    {
                        error(option.Code, $"{option.Name} folder '{value}' does not exist. Point {option.Name} at a folder of ONNX TensorProto .pb files.");
                        return false;
                    }
                }
                resolved.SetMetadata(option.Name, value);
            }
            return TryApplyOverrides(model, resolved, error, warning);
        }

        /// <summary>Per-target overrides, e.g. CudaQuantize="fp16": only for targets this model is compiled for.</summary>
        private static bool TryApplyOverrides(ITaskItem model, ITaskItem resolved, Action<string, string> error, Action<string, string> warning)
        {
            string[] targets = resolved.GetMetadata(CompileOptions.Targets.Name).Split(';');
            var overrides = new List<string>();
            foreach (CompileOption option in CompileOptions.All.Where(o => o.PerTarget))
            {
                foreach (BuildTarget target in BuildTargets.All)
                {
                    string name = option.PerTargetName(target.Name);
                    if (model.GetMetadata(name).Trim().Length == 0)
                    {
                        continue;
                    }
                    if (!option.TryNormalize(model.GetMetadata(name), out string value, out string message, name))
                    {
                        error(option.Code, message);
                        return false;
                    }
                    if (!targets.Contains(target.Name))
                    {
                        warning("MB4008", $"{name} is set but Targets does not include '{target.Name}'; it has no effect.");
                        continue;
                    }
                    overrides.Add(target.Name + "=" + value);
                }
            }
            resolved.SetMetadata(CompileOptions.TargetOverridesField, string.Join(";", overrides));
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
            return Directory.EnumerateFiles(folder, "*.pb", SearchOption.AllDirectories)
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new FileInfo(f))
                .Select(f => $"sample={f.FullName}|{f.Length}|{f.LastWriteTimeUtc.Ticks}");
        }
    }
}
