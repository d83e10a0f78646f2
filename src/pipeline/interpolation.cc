#include "pipeline/interpolation.h"

namespace mergeflow {
namespace {

// Walks `text`, handing each literal piece and each reference to the
// callbacks in order.
Status Walk(std::string_view text, const std::function<void(std::string_view)>& literal,
            const std::function<Status(const Reference&)>& reference) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos || dollar + 1 == text.size()) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, dollar - i));
    if (text[dollar + 1] == '$') {
      literal("$");
      i = dollar + 2;
    } else if (text[dollar + 1] == '{') {
      const size_t close = text.find('}', dollar + 2);
      if (close == std::string_view::npos)
        return Status::InvalidArgument("'${' without its '}' in \"" + std::string(text) + "\"");
      const std::string name(text.substr(dollar + 2, close - dollar - 2));
      if (name.empty()) return Status::InvalidArgument("an empty ${} in \"" + std::string(text) + "\"");
      MF_RETURN_IF_ERROR(reference(Reference{name, dollar}));
      i = close + 1;
    } else {
      literal("$");
      i = dollar + 1;
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<Reference>> FindReferences(std::string_view text) {
  std::vector<Reference> found;
  MF_RETURN_IF_ERROR(Walk(text, [](std::string_view) {}, [&](const Reference& r) {
    found.push_back(r);
    return Status::OK();
  }));
  return found;
}

Result<std::string> Interpolate(std::string_view text,
                                const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  MF_RETURN_IF_ERROR(Walk(text, [&](std::string_view piece) { out.append(piece); }, [&](const Reference& r) {
    const std::optional<std::string> value = lookup(r.name);
    if (!value) return Status::InvalidArgument("undefined ${" + r.name + "}");
    out += *value;
    return Status::OK();
  }));
  return out;
}

}  // namespace mergeflow
