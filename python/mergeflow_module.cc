// _mergeflow: the compiled half of the Python module. run() runs one
// mergeflow command line inside the Python process exactly as the program
// would (the same parsing, the same engine) and returns what the command
// handed back: the committed manifest, or the result table as columns.
#include <Python.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "cli/command_line.h"
#include "common/interrupt.h"

namespace py = pybind11;

namespace mergeflow {
namespace {

// A failed command's one-line message, for mergeflow.Error.
struct CommandError {
  std::string message;
};

// Parses `args` and runs the command on a thread of its own while the
// calling (Python's main) thread, without the GIL, waits; every 0.1 s it
// takes the GIL to let Python run its signal handlers, and a
// KeyboardInterrupt asks the command to stop (common/interrupt.h). Returns
// the command's status; Python's pending exception, if any, stays set.
Status RunWatched(std::vector<std::string> args, Embedding* embedding) {
  CLI::App app{"mergeflow"};
  app.require_subcommand(1);
  const std::vector<Command> commands = DeclareCommands(&app, embedding);
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last word first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  ClearStopRequest();
  std::packaged_task<Status()> task([&commands] {
    try {
      return RunParsedCommand(commands);
    } catch (const std::bad_alloc&) {
      return Status::Internal("out of memory");
    } catch (const std::exception& e) {
      return Status::Internal(std::string("internal error: ") + e.what());
    }
  });
  std::future<Status> done = task.get_future();
  std::thread worker(std::move(task));
  bool interrupted = false;
  for (;;) {
    std::future_status state;
    {
      py::gil_scoped_release release;
      state = done.wait_for(std::chrono::milliseconds(100));
    }
    if (state == std::future_status::ready) break;
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;
      RequestStop();
    }
  }
  worker.join();
  return done.get();
}

// Column `column` as a NumPy array of Python str (bytes that are not UTF-8
// kept by surrogateescape, as Python's own file reading does).
py::array ColumnArray(const TextColumn& column) {
  const size_t n = column.ends.size();
  py::array values(py::dtype("O"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(n)});
  PyObject** out = static_cast<PyObject**>(values.mutable_data());
  for (size_t i = 0; i < n; ++i) {
    const std::string_view v = column.Value(i);
    PyObject* s = PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "surrogateescape");
    if (s == nullptr) throw py::error_already_set();
    PyObject* old = out[i];  // NULL or None, as NumPy filled the new array
    out[i] = s;              // the array owns the reference
    Py_XDECREF(old);
  }
  return values;
}

// run(args, keep_tables, program) -> dict: see the module's docstring.
py::dict Run(const std::vector<std::string>& args, bool keep_tables, const std::string& program) {
  Embedding embedding;
  embedding.keep_tables = keep_tables;
  embedding.program = program;
  const Status status = RunWatched(args, &embedding);
  if (PyErr_Occurred() != nullptr) throw py::error_already_set();  // the KeyboardInterrupt
  if (!status.ok()) {
    if (status.code() == Status::Code::kInvalidArgument) throw py::value_error(status.message());
    throw CommandError{status.message()};
  }
  py::dict result;
  result["manifest"] = embedding.manifest.empty() ? py::object(py::none()) : py::object(py::str(embedding.manifest));
  py::list tables;
  for (const std::unique_ptr<TableSink>& table : embedding.tables) {
    py::list columns;
    for (const TextColumn& column : table->columns()) columns.append(ColumnArray(column));
    tables.append(py::make_tuple(table->names(), columns));
  }
  result["tables"] = tables;
  return result;
}

// options(command) -> {long option name: takes a value}, for the command's
// named options (positional arguments left out).
py::dict Options(const std::string& command) {
  CLI::App app{"mergeflow"};
  DeclareCommands(&app, nullptr);
  const CLI::App* sub = app.get_subcommand(command);  // throws for an unknown name
  py::dict options;
  for (const CLI::Option* option : sub->get_options()) {
    if (option == sub->get_help_ptr()) continue;
    for (const std::string& name : option->get_lnames()) options[py::str(name)] = option->get_expected_min() > 0;
  }
  return options;
}

}  // namespace
}  // namespace mergeflow

PYBIND11_MODULE(_mergeflow, m) {
  m.doc() = "The compiled part of mergeflow; use the mergeflow package instead.";
  static py::exception<mergeflow::CommandError> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mergeflow::CommandError& e) {
      PyErr_SetString(error.ptr(), e.message.c_str());
    }
  });
  m.def("run", &mergeflow::Run, py::arg("args"), py::arg("keep_tables"), py::arg("program"),
        "Runs one mergeflow command line (the words after 'mergeflow') in this process; `program` is the "
        "mergeflow program a pipeline's steps run. Returns a dict: 'manifest' (the committed output's "
        "_SUCCESS text, a pipeline run's record, or None) and 'tables': with keep_tables, the "
        "tables the command would have printed, each (names, columns: NumPy object arrays of str). Raises ValueError "
        "for usage errors, Error for failures, KeyboardInterrupt when interrupted (output unchanged).");
  m.def("options", &mergeflow::Options, py::arg("command"),
        "The named options of a mergeflow command: {long name: whether it takes a value}.");
  m.attr("version") = MERGEFLOW_VERSION;
}
