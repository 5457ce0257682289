#pragma once

#include <QStringList>

namespace assay::cli {

// `assay report RUN... [--format html|pdf|md|csv|jsonl|junit] --out FILE`: one run's report, or
// two runs compared (the first is the base). RUN is a run id, `latest` or `latest~N`. The format
// defaults to the --out file's extension. `arguments` starts with "report".
int runReportCommand(const QStringList &arguments);

// True for `assay report ... --format pdf` (or `--out X.pdf`): PDF layout needs fonts, so main()
// must start a QGuiApplication (on the offscreen platform when none is set) instead of a
// QCoreApplication for it.
bool reportNeedsGuiApplication(int argc, char **argv);

} // namespace assay::cli
