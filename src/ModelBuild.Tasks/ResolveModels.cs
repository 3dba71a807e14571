using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelBuild.Shared;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Turns <c>@(Model)</c> items into fully described compile jobs: class name, namespace, access and the
    /// paths of every file the compiler writes. Writes each model's options stamp only when it changed, so that
    /// changing metadata (not only the model file) makes the incremental compile target run again.
    /// </summary>
    public sealed class ResolveModels : Task
    {
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Default namespace: <c>$(RootNamespace).Models</c> is passed in by the targets.</summary>
        [Required] public string DefaultNamespace { get; set; } = "";

        [Required] public string DefaultAccess { get; set; } = "public";

        /// <summary>Absolute folder for intermediate outputs, e.g. <c>obj/Debug/net10.0/modelbuild/</c>.</summary>
        [Required] public string IntermediateDirectory { get; set; } = "";

        /// <summary>Folder, relative to the output directory, under which model assets are placed.</summary>
        [Required] public string AssetFolder { get; set; } = "models";

        /// <summary>Identifies the compiler build, so that a new ModelBuild version recompiles models.</summary>
        [Required] public string CompilerIdentity { get; set; } = "";

        /// <summary>Relative SampleInputs folders resolve against it.</summary>
        public string ProjectDirectory { get; set; } = "";

        [Output] public ITaskItem[] ResolvedModels { get; private set; } = Array.Empty<ITaskItem>();

        public override bool Execute()
        {
            var resolved = new List<ITaskItem>();
            var classes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (ITaskItem model in Models)
            {
                ITaskItem? item = Resolve(model, classes);
                if (item != null)
                {
                    resolved.Add(item);
                }
            }
            ResolvedModels = resolved.ToArray();
            return !Log.HasLoggedErrors;
        }

        private ITaskItem? Resolve(ITaskItem model, Dictionary<string, string> classes)
        {
            string fullPath = model.GetMetadata("FullPath");
            if (!File.Exists(fullPath))
            {
                Error("MB4001", model.ItemSpec, $"Model file '{fullPath}' does not exist. Fix the Include path of the <Model> item.");
                return null;
            }

            string className = Metadata(model, "ClassName", ModelNaming.DefaultClassName(fullPath));
            // The generator's rules (MB2003), checked before the model is compiled.
            if (ModelNaming.CheckClassName(className) is string classProblem)
            {
                Error("MB4002", model.ItemSpec, $"ClassName '{className}' cannot name the generated class: {classProblem}. Set ClassName metadata to another name.");
                return null;
            }

            string ns = Metadata(model, "Namespace", DefaultNamespace);
            if (ModelNaming.CheckNamespace(ns) is string nsProblem)
            {
                Error("MB4004", model.ItemSpec, $"Namespace '{ns}' is not a valid C# namespace: {nsProblem}. Set Namespace metadata (or RootNamespace) to dotted identifiers.");
                return null;
            }

            string access = Metadata(model, "Access", DefaultAccess);
            if (access != "public" && access != "internal")
            {
                Error("MB4005", model.ItemSpec, $"Access '{access}' is not supported. Use Access=\"public\" or Access=\"internal\".");
                return null;
            }

            // Assets and intermediates are keyed by class name, so two models with one class name would overwrite each other.
            if (classes.TryGetValue(className, out string? other))
            {
                Error("MB4003", model.ItemSpec, $"Models '{other}' and '{model.ItemSpec}' both generate class '{className}'. Give one of them a different ClassName metadata.");
                return null;
            }
            classes.Add(className, model.ItemSpec);

            string intermediate = Path.Combine(IntermediateDirectory, className);
            var item = new TaskItem(fullPath);
            string projectDirectory = ProjectDirectory.Length > 0 ? ProjectDirectory : Directory.GetCurrentDirectory();
            if (!CompileOptionsMetadata.TryApply(model, item, projectDirectory,
                    (code, message) => Error(code, model.ItemSpec, message),
                    (code, message) => Log.LogWarning(null, code, null, model.ItemSpec, 0, 0, 0, 0, "{0}", message)))
            {
                return null;
            }
            item.SetMetadata("OriginalItemSpec", model.ItemSpec);
            item.SetMetadata("ClassName", className);
            item.SetMetadata("Namespace", ns);
            item.SetMetadata("Access", access);
            item.SetMetadata("ModelVersion", model.GetMetadata("ModelVersion"));
            item.SetMetadata("OutputDirectory", intermediate + Path.DirectorySeparatorChar);
            item.SetMetadata("SignatureFile", Path.Combine(IntermediateDirectory, className + ".modelsig.json"));
            item.SetMetadata("AssetListFile", Path.Combine(IntermediateDirectory, className + ".assets.txt"));
            item.SetMetadata("OptionsFile", Path.Combine(IntermediateDirectory, className + ".options"));
            item.SetMetadata("ReportFile", Path.Combine(IntermediateDirectory, className + ".report.json"));
            item.SetMetadata("DependencyFile", Path.Combine(IntermediateDirectory, className + ".dependencies.txt"));
            item.SetMetadata("AssetPathPrefix", AssetFolder.TrimEnd('/', '\\') + "/" + className + "/");

            WriteOptionsStamp(item);
            return item;
        }

        private void WriteOptionsStamp(ITaskItem item)
        {
            var text = new StringBuilder();
            text.Append("compiler=").Append(CompilerIdentity).Append('\n');
            foreach (string name in new[] { "ClassName", "Namespace", "Access", "AssetPathPrefix", "ModelVersion" }.Concat(CompileOptionsMetadata.Names))
            {
                text.Append(name).Append('=').Append(item.GetMetadata(name)).Append('\n');
            }
            foreach (string line in CompileOptionsMetadata.SampleInputsFingerprint(item.GetMetadata("SampleInputs")))
            {
                text.Append(line).Append('\n');
            }
            string path = item.GetMetadata("OptionsFile");
            string content = text.ToString();
            if (File.Exists(path) && File.ReadAllText(path) == content)
            {
                return; // unchanged: keep the timestamp so the compile target stays up to date
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }

        private static string Metadata(ITaskItem item, string name, string fallback)
        {
            string value = item.GetMetadata(name);
            return string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
        }

        private void Error(string code, string file, string message) =>
            Log.LogError(subcategory: null, errorCode: code, helpKeyword: null, file: file,
                lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: "{0}", message);
    }
}
