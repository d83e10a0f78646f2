// `${NAME}` references in pipeline texts: finding them and replacing them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mergeflow {

// A reference found in a text: its name and its byte offset.
struct Reference {
  std::string name;
  size_t offset = 0;
};

// The references of `text`, in order. `$$` stands for a literal `$` and is
// no reference. InvalidArgument for a `${` without its `}` or an empty name.
Result<std::vector<Reference>> FindReferences(std::string_view text);

// `text` with each reference replaced by lookup(name); InvalidArgument
// "undefined ${NAME}" for a name lookup does not know.
Result<std::string> Interpolate(std::string_view text,
                                const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace mergeflow
