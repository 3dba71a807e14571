using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// The plain MSBuild that a packed model library's build/ and buildTransitive/ files are made of, for both layouts:
    /// Single (the WriteModelPackageTargets task, in MSBuild) and PerRid (the modelbuild tool's pack-models, which
    /// links this file). Model folders are deployed as None items; the entry file imports them once.
    /// </summary>
    internal static class PackageTargetsXml
    {
        /// <summary>The property that marks a package's assets as imported (NuGet may import build/ and buildTransitive/).</summary>
        public static string Guard(string packageId) =>
            "_ModelBuildAssetsImported_" + new string(packageId.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

        /// <summary>Writes <paramref name="path"/> as a &lt;Project&gt; whose content <paramref name="body"/> writes.</summary>
        public static void WriteProject(string path, Action<XmlWriter> body)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
            using XmlWriter xml = XmlWriter.Create(path, settings);
            xml.WriteStartElement("Project");
            body(xml);
            xml.WriteEndElement();
        }

        /// <summary>A None item copying every file under <paramref name="folder"/> to the app's output and publish folders at <paramref name="link"/>.</summary>
        public static void WriteDeployedFolder(XmlWriter xml, string folder, string link)
        {
            xml.WriteStartElement("None");
            xml.WriteAttributeString("Include", folder + "/**");
            xml.WriteAttributeString("Link", link + "/%(RecursiveDir)%(Filename)%(Extension)");
            xml.WriteAttributeString("CopyToOutputDirectory", "PreserveNewest");
            xml.WriteAttributeString("CopyToPublishDirectory", "PreserveNewest");
            xml.WriteAttributeString("Visible", "false");
            xml.WriteAttributeString("Pack", "false");
            xml.WriteEndElement();
        }

        /// <summary>
        /// The entry file's content: imports <paramref name="assetsFileName"/> (in the package's build/) once, however
        /// often the entry is imported; import conditions run in order, and twice would fail publish with duplicate files.
        /// </summary>
        public static void WriteGuardedImport(XmlWriter xml, string assetsFileName, string guard)
        {
            xml.WriteStartElement("Import");
            xml.WriteAttributeString("Project", "$(MSBuildThisFileDirectory)../build/" + assetsFileName);
            xml.WriteAttributeString("Condition", $"'$({guard})' != 'true'");
            xml.WriteEndElement();
            xml.WriteStartElement("PropertyGroup");
            xml.WriteElementString(guard, "true");
            xml.WriteEndElement();
        }
    }
}
