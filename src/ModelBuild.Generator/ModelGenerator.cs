using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ModelBuild.Generator
{
    /// <summary>
    /// Generates a typed wrapper per <c>*.modelsig.json</c> AdditionalFile (written by the ModelBuild compiler).
    /// Pipeline: filter files → parse each to an equatable <see cref="ModelSignature"/> → emit one file each.
    /// Only the hint names of all models are collected (to refuse duplicates), so editing one signature
    /// re-runs the parse and emit for that model alone.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ModelGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking name of the step that selects signature files.</summary>
        public const string FilesStep = "ModelBuild.SignatureFiles";

        /// <summary>Tracking name of the step that parses each signature file.</summary>
        public const string ParseStep = "ModelBuild.Signatures";

        /// <summary>Tracking name of the step that collects the generated file names of all models.</summary>
        public const string NamesStep = "ModelBuild.HintNames";

        /// <summary>Tracking name of the step that pairs each model with all names.</summary>
        public const string CombineStep = "ModelBuild.WithNames";

        /// <summary>File name suffix of model signature files.</summary>
        public const string SignatureSuffix = ".modelsig.json";

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ModelSignature> signatures = context.AdditionalTextsProvider
                .Where(static file => file.Path.EndsWith(SignatureSuffix, StringComparison.OrdinalIgnoreCase))
                .WithTrackingName(FilesStep)
                .Select(static (file, ct) => SignatureParser.Parse(file.Path, file.GetText(ct)?.ToString()))
                .WithTrackingName(ParseStep);

            IncrementalValueProvider<EquatableArray<string>> hintNames = signatures
                .Where(static s => s.CanEmit)
                .Select(static (s, _) => s.HintName)
                .Collect()
                .Select(static (names, _) => new EquatableArray<string>(names.Sort(StringComparer.OrdinalIgnoreCase)))
                .WithTrackingName(NamesStep);

            IncrementalValuesProvider<(ModelSignature Model, EquatableArray<string> Names)> models = signatures
                .Combine(hintNames)
                .WithTrackingName(CombineStep);

            context.RegisterSourceOutput(models, static (spc, pair) => Execute(spc, pair.Model, pair.Names));
        }

        private static void Execute(SourceProductionContext context, ModelSignature model, EquatableArray<string> hintNames)
        {
            foreach (DiagnosticInfo info in model.Diagnostics)
            {
                context.ReportDiagnostic(Diagnostics.ToDiagnostic(info));
            }

            if (!model.CanEmit)
            {
                return;
            }

            // Hint names compare ignoring case (they become file names), so "A.Foo" and "A.FOO" collide too.
            if (hintNames.Count(n => string.Equals(n, model.HintName, StringComparison.OrdinalIgnoreCase)) > 1)
            {
                context.ReportDiagnostic(Diagnostics.ToDiagnostic(Diagnostics.Info(
                    "MB2006", model.FilePath, model.FilePath, model.Namespace + "." + model.ClassName)));
                return;
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            context.AddSource(model.HintName, SourceText.From(Emitter.Emit(model), System.Text.Encoding.UTF8));
        }
    }
}
