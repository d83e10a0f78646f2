#include "dataset/version_manifest.h"

#include "common/json_record.h"
#include "common/sha256.h"
#include "dataset/dataset_layout.h"
#include "io/concurrent_requests.h"

namespace mergeflow {

Result<std::optional<VersionManifest>> ReadVersionManifest(FileSystem* fs, const std::string& dataset,
                                                           const std::string& version) {
  const std::string path = JoinPath(VersionDir(dataset, version), "_SUCCESS");
  MF_ASSIGN_OR_RETURN(VersionedContents read, fs->ReadVersioned(path));
  if (!read.exists) return std::optional<VersionManifest>();
  // A listed file: where it lives and what it holds.
  auto file = [&](const nlohmann::json& entry) -> Result<VersionPart> {
    VersionPart p;
    p.version = entry.contains("version") ? entry.at("version").get<std::string>() : version;
    if (!IsVersionId(p.version)) return Status::BadInput(path + ": a part names a bad version '" + p.version + "'");
    const std::string name = entry.at("name");
    if (name.empty() || name.find('/') != std::string::npos || name.front() == '.' || name.front() == '_')
      return Status::BadInput(path + ": bad part name '" + name + "'");
    p.path = JoinPath(VersionDir(dataset, p.version), name);
    p.rows = entry.at("rows");
    p.bytes = entry.at("bytes");
    return p;
  };
  auto parse = [&](const nlohmann::json& doc) -> Result<VersionManifest> {
    VersionManifest manifest;
    manifest.version = version;
    for (const nlohmann::json& entry : doc.at("parts")) {
      MF_ASSIGN_OR_RETURN(VersionPart part, file(entry));
      manifest.rows += part.rows;
      manifest.bytes += part.bytes;
      if (entry.contains("deletes")) {
        MF_ASSIGN_OR_RETURN(VersionPart deletes, file(entry.at("deletes")));
        if (deletes.rows > part.rows) return Status::BadInput(path + ": " + part.path + " has fewer rows than it deletes");
        manifest.rows -= deletes.rows;
        manifest.bytes += deletes.bytes;
        part.deletes = std::make_shared<const VersionPart>(std::move(deletes));
      }
      if (entry.contains("keys")) {
        MF_ASSIGN_OR_RETURN(VersionPart keys, file(entry.at("keys")));
        if (keys.rows != part.rows) return Status::BadInput(path + ": the keys file of " + part.path + " has other rows");
        part.keys = std::make_shared<const VersionPart>(std::move(keys));
      }
      manifest.parts.push_back(std::move(part));
    }
    if (doc.contains("deltas")) {
      for (const nlohmann::json& entry : doc.at("deltas")) {
        MF_ASSIGN_OR_RETURN(VersionPart delta, file(entry));
        manifest.rows += delta.rows;
        manifest.bytes += delta.bytes;
        manifest.deltas.push_back(std::move(delta));
      }
    }
    if (doc.contains("tombstones")) {
      for (const nlohmann::json& entry : doc.at("tombstones")) {
        MF_ASSIGN_OR_RETURN(VersionPart part, file(entry));
        manifest.tombstones.push_back(std::move(part));
      }
    }
    return manifest;
  };
  MF_ASSIGN_OR_RETURN(VersionManifest manifest,
                      ParseJsonRecord<VersionManifest>(read.contents, path, "mergeflow manifest", parse));
  manifest.sha256 = Sha256Hex(read.contents);
  manifest.text = std::move(read.contents);
  return std::optional<VersionManifest>(std::move(manifest));
}

std::vector<const VersionPart*> VersionManifest::Files() const {
  std::vector<const VersionPart*> files;
  for (const VersionPart& part : parts) {
    files.push_back(&part);
    if (part.deletes) files.push_back(part.deletes.get());
    if (part.keys) files.push_back(part.keys.get());
  }
  for (const VersionPart& delta : deltas) files.push_back(&delta);
  for (const VersionPart& file : tombstones) files.push_back(&file);
  return files;
}

Status CheckPartsPresent(FileSystem* fs, const VersionManifest& manifest) {
  const std::vector<const VersionPart*> files = manifest.Files();
  // Many at once: on S3 each is a request, and a version may list thousands.
  return RunConcurrently(files.size(), 16, [&](size_t i) -> Status {
    const VersionPart& part = *files[i];
    MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(part.path));
    if (!info.exists) return Status::IOError("version " + manifest.version + " lists " + part.path + ", which is gone");
    if (info.size != part.bytes)
      return Status::IOError("version " + manifest.version + " lists " + part.path + " with " +
                             std::to_string(part.bytes) + " bytes, but it has " + std::to_string(info.size));
    return Status::OK();
  });
}

}  // namespace mergeflow
