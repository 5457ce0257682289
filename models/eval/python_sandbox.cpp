#include "models/eval/python_sandbox.h"

#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sched.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace assay::eval {

namespace {

// The host runs inside the grader's python process. It limits memory before the grader's code
// exists, loads the code into a fresh module, checks grade(sample, item), and reports on a line
// of its own that starts with a per-run random marker, written to a private duplicate of the
// original stdout, so whatever the grader prints (or however it rebinds sys.stdout) cannot be
// mistaken for the result.
constexpr char kHostScript[] = R"PY(
import sys, os
def _host():
    import json, math, numbers, resource, signal, types, inspect, traceback, linecache
    result_fd = os.dup(1)
    raw = sys.stdin.buffer.read()
    request = json.loads(raw.decode('utf-8'))
    del raw
    marker = request['marker']
    def emit(obj):
        for stream in (sys.stdout, sys.__stdout__, sys.stderr, sys.__stderr__):
            try:
                stream.flush()
            except Exception:
                pass
        data = ('\n' + marker + json.dumps(obj) + '\n').encode('utf-8')
        while data:
            data = data[os.write(result_fd, data):]
        os._exit(0)
    def clip(text, limit=4000):
        return text if len(text) <= limit else '...' + text[-limit:]
    def describe_exception(prefix, error):
        frames = traceback.extract_tb(error.__traceback__)
        frames = [f for f in frames if f.filename == 'grader.py']
        lines = ''.join(traceback.format_list(frames[-5:]))
        message = ''.join(traceback.format_exception_only(type(error), error)).strip()
        return clip(prefix + message + ('\n' + lines.rstrip() if lines else ''))
    limit = int(request['memory_limit'])
    if limit > 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    try:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        disk = 1024 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (disk, disk))
    except (ValueError, OSError, AttributeError):
        pass
    source = request['source']
    sample = request['sample']
    item = request['item']
    del request
    module = types.ModuleType('grader')
    module.__file__ = 'grader.py'
    sys.modules['grader'] = module
    linecache.cache['grader.py'] = (len(source), None, source.splitlines(True), 'grader.py')
    try:
        code = compile(source, 'grader.py', 'exec')
        exec(code, module.__dict__)
    except BaseException as error:
        emit({'invalid': describe_exception('the source failed to load: ', error)})
    grade = module.__dict__.get('grade')
    if grade is None:
        emit({'invalid': 'the source defines no grade function'})
    if not callable(grade):
        emit({'invalid': 'grade is a %s, not a function' % type(grade).__name__})
    try:
        parameters = list(inspect.signature(grade).parameters.values())
    except (TypeError, ValueError):
        parameters = None
    if parameters is not None:
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if len(parameters) != 2 or any(p.kind not in positional for p in parameters):
            emit({'invalid': 'grade must take exactly two arguments (sample, item); its signature is grade%s'
                  % inspect.signature(grade)})
    try:
        result = grade(sample, item)
    except BaseException as error:
        emit({'invalid': describe_exception('grade raised ', error)})
    kind = type(result).__name__
    if isinstance(result, bool) or kind == 'bool_' or not isinstance(result, numbers.Real):
        try:
            shown = repr(result)
        except Exception:
            shown = '?'
        emit({'invalid': clip('grade returned %s %s, expected a float' % (kind, shown), 500)})
    try:
        score = float(result)
    except Exception as error:
        emit({'invalid': describe_exception('the result could not be converted to float: ', error)})
    if not math.isfinite(score):
        emit({'invalid': 'grade returned %r, expected a finite float' % score})
    emit({'score': score})
_host()
)PY";

constexpr qsizetype kOutputHead = 64 * 1024;
constexpr qsizetype kOutputTail = 256 * 1024;

// Keeps the first kOutputHead and last kOutputTail bytes, so a grader printing without end
// cannot exhaust our memory while the result line (always last) survives.
void appendCapped(std::string &buffer, const QByteArray &chunk)
{
    buffer.append(chunk.constData(), static_cast<std::size_t>(chunk.size()));
    const std::size_t limit = static_cast<std::size_t>(kOutputHead + 2 * kOutputTail);
    if (buffer.size() > limit) {
        static const std::string cut = "\n[... output truncated ...]\n";
        const std::size_t head = static_cast<std::size_t>(kOutputHead);
        const std::size_t keepTail = static_cast<std::size_t>(kOutputTail);
        const bool alreadyCut = buffer.compare(head, cut.size(), cut) == 0;
        const std::size_t eraseFrom = alreadyCut ? head + cut.size() : head;
        buffer.erase(eraseFrom, buffer.size() - keepTail - eraseFrom);
        if (!alreadyCut)
            buffer.insert(head, cut);
    }
}

std::string tail(const std::string &text, std::size_t limit)
{
    if (text.size() <= limit)
        return text;
    return "..." + text.substr(text.size() - limit);
}

std::string validUtf8(const std::string &bytes)
{
    return QString::fromUtf8(bytes.data(), static_cast<qsizetype>(bytes.size())).toStdString();
}

std::string secondsText(int ms)
{
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", ms / 1000.0);
    return buffer;
}

// Creates a user namespace mapping us to root and a network namespace in a forked child, which is
// what `unshare -rn` does; it may fail where unprivileged user namespaces are disabled or
// restricted (sysctl, AppArmor, seccomp in containers).
bool probeNetworkIsolation()
{
    if (QStandardPaths::findExecutable(QStringLiteral("unshare")).isEmpty())
        return false;
    // Everything the child needs is formatted before fork: it may only make async-signal-safe calls.
    char uidMap[64];
    char gidMap[64];
    std::snprintf(uidMap, sizeof uidMap, "0 %u 1\n", static_cast<unsigned>(getuid()));
    std::snprintf(gidMap, sizeof gidMap, "0 %u 1\n", static_cast<unsigned>(getgid()));
    const pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        auto writeFile = [](const char *path, const char *text) {
            const int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (fd < 0)
                return false;
            std::size_t length = 0;
            while (text[length] != '\0')
                ++length;
            const bool ok = write(fd, text, length) == static_cast<ssize_t>(length);
            close(fd);
            return ok;
        };
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
            _exit(1);
        writeFile("/proc/self/setgroups", "deny");
        if (!writeFile("/proc/self/uid_map", uidMap) || !writeFile("/proc/self/gid_map", gidMap))
            _exit(2);
        _exit(0);
    }
    // The child only makes a few system calls: this wait is a matter of microseconds.
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

struct PythonSandbox::Run {
    QProcess *process = nullptr; // owned; deleteLater'd, since it may be mid-signal when we finish
    QTimer timer;
    QTemporaryDir dir;
    std::function<void(const PythonOutcome &)> done;
    std::string marker;
    std::string stdoutText;
    std::string stderrText;
    bool timedOut = false;

    ~Run()
    {
        if (!process)
            return;
        QObject::disconnect(process, nullptr, nullptr, nullptr);
        killGroup();
        // Deleting a QProcess whose child is not reaped yet would block in its destructor; it
        // goes once the killed child is reaped instead. deleteLater also keeps us safe when we
        // are inside one of its signals.
        if (process->state() == QProcess::NotRunning)
            process->deleteLater();
        else
            QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
    }

    // The grader runs as a process group leader (setsid in the child), so killing the group also
    // ends anything it spawned.
    void killGroup()
    {
        if (process && process->state() != QProcess::NotRunning) {
            const qint64 pid = process->processId();
            if (pid > 0)
                ::kill(-static_cast<pid_t>(pid), SIGKILL);
            process->kill();
        }
    }
};

PythonSandbox::PythonSandbox(QObject *parent) : QObject(parent) {}

PythonSandbox::~PythonSandbox()
{
    m_runs.clear(); // kills every process group; their callbacks are not called
}

void PythonSandbox::setPythonExecutable(const QString &path) { m_python = path; }
void PythonSandbox::setTimeoutMs(int ms) { m_timeoutMs = ms; }
void PythonSandbox::setMemoryLimitBytes(qint64 bytes) { m_memoryLimitBytes = bytes; }
int PythonSandbox::runningCount() const { return static_cast<int>(m_runs.size()); }

bool PythonSandbox::networkIsolationAvailable() const
{
    static const bool available = probeNetworkIsolation();
    return available;
}

QString PythonSandbox::isolationUnavailableMessage()
{
    return QStringLiteral(
        "Python graders will run WITH network access: this system does not allow unprivileged "
        "network namespaces (`unshare -rn` failed). Their environment is still cleared of API keys "
        "and their memory and time are limited.");
}

void PythonSandbox::run(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
                        std::function<void(const PythonOutcome &)> done)
{
    auto failLater = [this, &done](std::string message) {
        QTimer::singleShot(0, this, [done = std::move(done), message = std::move(message)] {
            PythonOutcome outcome;
            outcome.error = message;
            done(outcome);
        });
    };

    QString python;
    if (m_python.contains(QLatin1Char('/'))) {
        const QFileInfo info(m_python);
        if (!info.isFile() || !info.isExecutable()) {
            failLater("python grader: '" + m_python.toStdString() + "' is not an executable file");
            return;
        }
        python = info.absoluteFilePath();
    } else {
        python = QStandardPaths::findExecutable(m_python);
        if (python.isEmpty()) {
            failLater("python grader: '" + m_python.toStdString() + "' was not found on PATH");
            return;
        }
    }

    auto run = std::make_unique<Run>();
    if (!run->dir.isValid()) {
        failLater("python grader: could not create a temporary directory: " + run->dir.errorString().toStdString());
        return;
    }
    run->done = std::move(done);
    run->marker = "@@assay-grader-result-" + QString::number(QRandomGenerator::global()->generate64(), 16).toStdString() +
                  QString::number(QRandomGenerator::global()->generate64(), 16).toStdString() + "@@";

    // Nothing of ours leaks in: no API keys, no proxies, no PYTHONPATH.
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QProcessEnvironment::systemEnvironment().value(
                                                   QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin")));
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    environment.insert(QStringLiteral("HOME"), run->dir.path());
    environment.insert(QStringLiteral("TMPDIR"), run->dir.path());
    environment.insert(QStringLiteral("PYTHONDONTWRITEBYTECODE"), QStringLiteral("1"));
    environment.insert(QStringLiteral("PYTHONIOENCODING"), QStringLiteral("utf-8"));
    // The guide's 2 CPU cores; also keeps BLAS thread pools from reserving address space.
    for (const char *name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"})
        environment.insert(QString::fromLatin1(name), QStringLiteral("2"));

    auto *process = new QProcess;
    run->process = process;
    process->setProcessEnvironment(environment);
    process->setWorkingDirectory(run->dir.path());
    process->setChildProcessModifier([] { ::setsid(); });

    QStringList pythonArguments{QStringLiteral("-B"), QStringLiteral("-s"), QStringLiteral("-c"),
                                QString::fromUtf8(kHostScript)};
    if (networkIsolationAvailable()) {
        process->setProgram(QStandardPaths::findExecutable(QStringLiteral("unshare")));
        process->setArguments(QStringList{QStringLiteral("-r"), QStringLiteral("-n"), QStringLiteral("--"), python} +
                              pythonArguments);
    } else {
        process->setProgram(python);
        process->setArguments(pythonArguments);
    }

    Run *raw = run.get();
    connect(process, &QProcess::readyReadStandardOutput, this,
            [raw] { appendCapped(raw->stdoutText, raw->process->readAllStandardOutput()); });
    connect(process, &QProcess::readyReadStandardError, this,
            [raw] { appendCapped(raw->stderrText, raw->process->readAllStandardError()); });
    connect(process, &QProcess::errorOccurred, this, [this, raw](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // crashes and kills arrive through finished()
        PythonOutcome outcome;
        outcome.error = "python grader: could not start " + raw->process->program().toStdString() + ": " +
                        raw->process->errorString().toStdString();
        finish(raw, outcome);
    });
    connect(process, &QProcess::finished, this, [this, raw](int exitCode, QProcess::ExitStatus status) {
        appendCapped(raw->stdoutText, raw->process->readAllStandardOutput());
        appendCapped(raw->stderrText, raw->process->readAllStandardError());
        PythonOutcome outcome;
        const std::size_t markerAt = raw->stdoutText.rfind(raw->marker);
        if (markerAt != std::string::npos) {
            const std::size_t jsonStart = markerAt + raw->marker.size();
            const std::size_t lineEnd = raw->stdoutText.find('\n', jsonStart);
            const nlohmann::json report = nlohmann::json::parse(
                raw->stdoutText.substr(jsonStart, lineEnd == std::string::npos ? std::string::npos : lineEnd - jsonStart),
                nullptr, false);
            // The '\n' the host writes before its marker is not the grader's output.
            std::size_t userEnd = markerAt;
            if (userEnd > 0 && raw->stdoutText[userEnd - 1] == '\n')
                --userEnd;
            raw->stdoutText.erase(userEnd);
            if (report.is_object() && report.contains("score") && report["score"].is_number())
                outcome.score = report["score"].get<double>();
            else if (report.is_object() && report.contains("invalid") && report["invalid"].is_string())
                outcome.invalidReason = report["invalid"].get<std::string>();
            else
                outcome.invalidReason = "the grader host reported an unreadable result";
        } else if (raw->timedOut) {
            outcome.invalidReason = "timed out after " + secondsText(m_timeoutMs);
        } else {
            const std::string stderrTail = tail(raw->stderrText, 2000);
            if (status == QProcess::CrashExit)
                outcome.invalidReason = "python was killed before returning a result";
            else
                outcome.invalidReason = "python exited with code " + std::to_string(exitCode) + " before returning a result";
            if (!stderrTail.empty())
                outcome.invalidReason += ": " + stderrTail;
        }
        // Whatever bytes the grader wrote (or a cut in the middle of a character) must not make
        // the JSON these strings end up in unserialisable.
        outcome.stdoutText = validUtf8(raw->stdoutText);
        outcome.stderrText = validUtf8(raw->stderrText);
        outcome.invalidReason = validUtf8(outcome.invalidReason);
        finish(raw, outcome);
    });

    raw->timer.setSingleShot(true);
    connect(&raw->timer, &QTimer::timeout, this, [raw] {
        raw->timedOut = true;
        raw->killGroup();
    });

    nlohmann::json request = {{"marker", raw->marker},
                              {"memory_limit", m_memoryLimitBytes},
                              {"source", source},
                              {"sample", sample},
                              {"item", item}};
    const std::string payload = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    m_runs.push_back(std::move(run));
    process->start(QIODevice::ReadWrite);
    // Written through QProcess's buffer and flushed by the event loop: a large item never blocks us.
    process->write(payload.data(), static_cast<qint64>(payload.size()));
    process->closeWriteChannel();
    raw->timer.start(m_timeoutMs);
}

void PythonSandbox::finish(Run *run, const PythonOutcome &outcome)
{
    const auto it = std::find_if(m_runs.begin(), m_runs.end(), [run](const auto &owned) { return owned.get() == run; });
    if (it == m_runs.end())
        return; // already finished (an error signal and finished() for the same process)
    std::unique_ptr<Run> owned = std::move(*it);
    m_runs.erase(it);
    auto done = std::move(owned->done);
    owned.reset(); // kills and frees the process before the callback may start another run
    done(outcome);
}

void PythonSandbox::cancelAll()
{
    std::vector<std::unique_ptr<Run>> runs;
    runs.swap(m_runs);
    std::vector<std::function<void(const PythonOutcome &)>> callbacks;
    for (auto &run : runs)
        callbacks.push_back(std::move(run->done));
    runs.clear();
    PythonOutcome outcome;
    outcome.error = "cancelled";
    for (auto &callback : callbacks)
        callback(outcome);
}

} // namespace assay::eval
