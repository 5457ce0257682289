#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

#include "models/eval/graders/grader.h"

namespace assay::eval {

// Runs python graders: grade(sample, item) in a separate python process with a cleared
// environment (no API keys), a fresh temporary working dir, an address-space limit, a wall-clock
// timeout and, where `unshare -rn` works, a network namespace without any interface. Fully
// asynchronous; many runs may be in flight at once.
class PythonSandbox : public QObject {
    Q_OBJECT
public:
    explicit PythonSandbox(QObject *parent = nullptr);
    ~PythonSandbox() override; // kills running processes (their callbacks are not called)

    void setPythonExecutable(const QString &path); // default "python3" from PATH
    void setTimeoutMs(int ms);                      // default 120000 (the guide's 2 minutes)
    void setMemoryLimitBytes(qint64 bytes);         // default 2 GiB

    // Calls `done` exactly once, later, on this object's thread.
    void run(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
             std::function<void(const PythonOutcome &)> done);
    // Kills every running process; done() is called with error "cancelled" for each.
    void cancelAll();
    int runningCount() const;

    // Probed once per process, then cached: `unshare` must be on PATH and a forked child must be
    // able to do what `unshare -rn` does (a user namespace with a uid map, a network namespace).
    // The probe makes a few system calls and waits on no I/O.
    // Environment of the grader: PATH, LANG/LC_ALL=C.UTF-8, HOME=TMPDIR=<fresh temp dir>,
    // PYTHONDONTWRITEBYTECODE=1, PYTHONIOENCODING=utf-8, OMP/OPENBLAS/MKL_NUM_THREADS=2, nothing else.
    bool networkIsolationAvailable() const;
    static QString isolationUnavailableMessage();

private:
    struct Run;
    void finish(Run *run, const PythonOutcome &outcome);

    QString m_python = QStringLiteral("python3");
    int m_timeoutMs = 120000;
    qint64 m_memoryLimitBytes = qint64(2) * 1024 * 1024 * 1024;
    std::vector<std::unique_ptr<Run>> m_runs;
};

} // namespace assay::eval
