#include "models/dataset/dataset_document.h"

#include <algorithm>
#include <numeric>

#include <QCryptographicHash>
#include <QDateTime>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QSaveFile>
#include <QThreadPool>

#include "models/dataset/column_paths.h"
#include "models/dataset/csv_reader.h"
#include "models/dataset/json_syntax.h"
#include "models/dataset/json_text_patch.h"
#include "models/dataset/jsonl_reader.h"
#include "models/dataset/record_index.h"
#include "models/dataset/row_store.h"
#include "models/dataset/source_buffer.h"
#include "models/dataset/worker_relay.h"

namespace assay::dataset {

namespace {

// What the file looked like when we last read or wrote it, to tell our own saves and attribute
// touches apart from real changes.
struct FileSignature {
    bool exists = false;
    qint64 size = 0;
    QDateTime modified;
    QDateTime changed;
    bool operator==(const FileSignature &) const = default;
};

FileSignature signatureOf(const QString &path)
{
    const QFileInfo info(path);
    FileSignature signature;
    signature.exists = info.exists();
    if (signature.exists) {
        signature.size = info.size();
        signature.modified = info.fileTime(QFileDevice::FileModificationTime);
        signature.changed = info.fileTime(QFileDevice::FileMetadataChangeTime);
    }
    return signature;
}

std::string detectLineEnding(std::string_view bytes)
{
    const std::string_view head = bytes.substr(0, 1 << 20);
    const std::size_t nl = head.find('\n');
    return nl != std::string_view::npos && nl > 0 && head[nl - 1] == '\r' ? std::string("\r\n")
                                                                          : std::string("\n");
}

QByteArray sha256Of(std::string_view bytes, const std::atomic<bool> *cancelled)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    constexpr std::size_t kStep = 16 << 20;
    for (std::size_t p = 0; p < bytes.size(); p += kStep) {
        if (cancelled && cancelled->load(std::memory_order_relaxed))
            return QByteArray();
        const std::string_view part = bytes.substr(p, kStep);
        hash.addData(QByteArrayView(part.data(), static_cast<qsizetype>(part.size())));
    }
    return hash.result();
}

} // namespace

class DatasetDocument::Private {
public:
    explicit Private(DatasetDocument *document) : q(document) {}

    DatasetDocument *q;
    QString path;
    RowStore s;
    ColumnList columnSet;    // s.columns as a set
    ColumnList indexColumns; // columns the indexer found (JSON formats)
    bool indexing = false;
    bool complete = false;
    std::shared_ptr<WorkerRelay> relay;
    std::shared_ptr<WorkerRelay> hashRelay; // hashing a file we saved
    std::shared_ptr<WorkerRelay> saveRelay; // a background save in flight
    qint64 nextNewId = -1;
    bool modified = false;
    int lastProgress = -1;
    QFileSystemWatcher *watcher = nullptr;
    FileSignature signature;
    QByteArray sourceHash;  // SHA-256 of the source bytes, from the worker
    quint64 generation = 0; // bumped by every change, keys the hash cache
    mutable quint64 hashGeneration = ~0ULL;
    mutable QByteArray cachedHash;

    void stopWorker()
    {
        if (relay)
            relay->detach();
        relay.reset();
        if (hashRelay)
            hashRelay->detach();
        hashRelay.reset();
    }

    void resetState(std::shared_ptr<SourceBuffer> source, DatasetFormat format)
    {
        s = RowStore();
        s.format = format;
        s.source = std::move(source);
        s.lineEnding = detectLineEnding(s.source ? s.source->bytes() : std::string_view());
        columnSet.clear();
        indexColumns.clear();
        indexing = true;
        complete = false;
        nextNewId = -1;
        modified = false;
        lastProgress = -1;
        sourceHash.clear();
        ++generation;
    }

    void rebuildColumnSet()
    {
        columnSet.clear();
        for (const std::string &column : s.columns)
            columnSet.add(column);
    }

    void applyBatch(IndexBatch &&batch)
    {
        bool columnsGrew = false;
        if (batch.header) {
            s.columns = uniqueColumnNames(batch.header->fields);
            rebuildColumnSet();
            s.csvHeader = std::move(batch.header);
            columnsGrew = true;
        }
        if (s.format != DatasetFormat::Csv) {
            for (std::string &column : batch.newColumns) {
                indexColumns.add(column);
                if (columnSet.add(column)) {
                    s.columns.push_back(std::move(column));
                    columnsGrew = true;
                }
            }
        }
        s.problems.append(std::move(batch.problems));
        bool rowsGrew = false;
        if (batch.chunk) {
            const qint64 before = s.index.size();
            s.index.append(std::move(batch.chunk));
            if (s.ordered) {
                for (qint64 id = before; id < s.index.size(); ++id)
                    s.order.push_back(id);
            }
            rowsGrew = true;
        }
        if (columnsGrew)
            Q_EMIT q->columnsChanged();
        if (rowsGrew)
            Q_EMIT q->rowsIndexed(s.rowCount());
        const qint64 size = s.source ? static_cast<qint64>(s.source->bytes().size()) : 0;
        const int progress = size > 0 ? static_cast<int>(batch.bytesScanned * 100 / size) : 100;
        if (progress != lastProgress) {
            lastProgress = progress;
            Q_EMIT q->indexProgress(progress);
        }
    }

    void finishIndex(bool done)
    {
        indexing = false;
        complete = done;
        if (done && relay)
            hashSource();
        if (done && lastProgress != 100) {
            lastProgress = 100;
            Q_EMIT q->indexProgress(100);
        }
        Q_EMIT q->indexFinished(s.rowCount());
    }

    void watch(const QString &file)
    {
        if (!watcher) {
            watcher = new QFileSystemWatcher(q);
            QObject::connect(watcher, &QFileSystemWatcher::fileChanged, q,
                             [this](const QString &changed) { onFileChanged(changed); });
        }
        if (!watcher->files().isEmpty())
            watcher->removePaths(watcher->files());
        if (!file.isEmpty())
            watcher->addPath(file);
        signature = signatureOf(file);
    }

    void onFileChanged(const QString &changed)
    {
        // Our own background save replaces the file; watch() re-reads its signature when it ends.
        if (changed != path || saveRelay)
            return;
        // A file replaced by rename is dropped from the watcher: watch the new one.
        if (QFileInfo::exists(path) && !watcher->files().contains(path))
            watcher->addPath(path);
        const FileSignature now = signatureOf(path);
        if (now == signature)
            return;
        signature = now;
        Q_EMIT q->fileChangedOnDisk();
    }

    // The content hash of the file as opened, ready before anyone registers the dataset.
    void hashSource()
    {
        idlePool()->start([this, worker = relay, source = s.source]() {
            const std::string_view bytes = source ? source->bytes() : std::string_view();
            const QByteArray hash = bytes.empty()
                                        ? QCryptographicHash::hash(QByteArray(), QCryptographicHash::Sha256)
                                        : sha256Of(bytes, &worker->cancelledFlag());
            if (hash.isEmpty())
                return;
            worker->post([this, token = worker.get(), hash]() {
                if (relay.get() != token)
                    return;
                sourceHash = hash;
                Q_EMIT q->contentHashReady();
            });
        });
    }

    // The content hash of what was just saved, computed from the file on a worker so that saving
    // costs no more than writing.
    void hashSavedFile()
    {
        if (hashRelay)
            hashRelay->detach();
        std::shared_ptr<SourceBuffer> saved = SourceBuffer::mapFile(path, nullptr);
        if (!saved)
            return;
        hashRelay = std::make_shared<WorkerRelay>(q);
        const quint64 savedGeneration = generation;
        idlePool()->start([this, worker = hashRelay, saved, savedGeneration]() {
            const QByteArray hash = saved->bytes().empty()
                                        ? QCryptographicHash::hash(QByteArray(), QCryptographicHash::Sha256)
                                        : sha256Of(saved->bytes(), &worker->cancelledFlag());
            if (hash.isEmpty())
                return;
            worker->post([this, token = worker.get(), hash, savedGeneration]() {
                if (hashRelay.get() != token || generation != savedGeneration)
                    return;
                cachedHash = hash;
                hashGeneration = savedGeneration;
                Q_EMIT q->contentHashReady();
            });
        });
    }

    void touch()
    {
        modified = true;
        ++generation;
    }

    void ensureOrdered()
    {
        if (s.ordered)
            return;
        s.order.resize(static_cast<std::size_t>(s.index.size()));
        std::iota(s.order.begin(), s.order.end(), qint64(0));
        s.ordered = true;
    }

    void storeEdit(qint64 id, std::string text)
    {
        s.edits[id] = std::make_shared<const RowEdit>(RowEdit{std::move(text), s.ops.size()});
    }

    std::string normalizeRaw(const std::string &raw) const
    {
        if (s.format != DatasetFormat::Jsonl || raw.find_first_of("\r\n") == std::string::npos)
            return raw;
        if (!json::checkSyntax(raw))
            return jsontext::minify(raw);
        std::string flat = raw;
        std::replace(flat.begin(), flat.end(), '\n', ' ');
        std::replace(flat.begin(), flat.end(), '\r', ' ');
        return flat;
    }

    // JSON rows can bring keys no row had: they become columns.
    bool addColumnsOf(std::string_view text)
    {
        if (s.format == DatasetFormat::Csv)
            return false;
        const ParsedRow row = jsonl::parseRecord(text, 0);
        std::vector<std::string> paths;
        appendColumns(row.item, paths);
        bool grew = false;
        for (std::string &column : paths) {
            if (columnSet.add(column)) {
                s.columns.push_back(std::move(column));
                grew = true;
            }
        }
        return grew;
    }

    bool validRow(qint64 row) const { return row >= 0 && row < s.rowCount(); }
};

DatasetDocument::DatasetDocument(QObject *parent) : QObject(parent), d(std::make_unique<Private>(this)) {}

DatasetDocument::~DatasetDocument()
{
    d->stopWorker();
    // Workers still hashing or saving must not post to a document that is gone.
    for (const std::shared_ptr<WorkerRelay> &worker : {d->hashRelay, d->saveRelay}) {
        if (worker)
            worker->detach();
    }
}

bool DatasetDocument::open(const QString &path, QString *error, IndexMode mode)
{
    QFile probe(path);
    QByteArray head;
    if (probe.open(QIODevice::ReadOnly))
        head = probe.read(4096);
    return open(path,
                detectFormat(path, std::string_view(head.constData(), static_cast<std::size_t>(head.size()))),
                error, mode);
}

bool DatasetDocument::open(const QString &path, DatasetFormat format, QString *error, IndexMode mode)
{
    QString mapError;
    std::shared_ptr<SourceBuffer> source = SourceBuffer::mapFile(path, &mapError);
    if (!source) {
        if (error)
            *error = mapError;
        return false;
    }
    Q_EMIT documentAboutToReset();
    d->stopWorker();
    d->resetState(source, format);
    d->path = path;
    d->watch(path);
    Q_EMIT documentReset();

    if (mode == IndexMode::Blocking) {
        const std::atomic<bool> never{false};
        buildIndex(
            source->bytes(), format, [this](IndexBatch &&batch) { d->applyBatch(std::move(batch)); }, never);
        d->finishIndex(true);
        return true;
    }

    auto relay = std::make_shared<WorkerRelay>(this);
    d->relay = relay;
    QThreadPool::globalInstance()->start([this, relay, source, format]() {
        WorkerRelay *const token = relay.get();
        source->adviseSequential(true);
        const bool done = buildIndex(
            source->bytes(), format,
            [this, &relay, token](IndexBatch &&batch) {
                auto shared = std::make_shared<IndexBatch>(std::move(batch));
                // A cancel is final from the moment the user asks: batches the worker had
                // already queued are dropped, so "cancelled" never turns into "complete".
                relay->post([this, token, shared]() {
                    if (d->relay.get() == token && !token->isCancelled())
                        d->applyBatch(std::move(*shared));
                });
            },
            relay->cancelledFlag());
        source->adviseSequential(false);
        relay->post([this, token, done]() {
            if (d->relay.get() == token)
                d->finishIndex(done && !token->isCancelled());
        });
    });
    return true;
}

void DatasetDocument::setRows(const std::vector<nlohmann::ordered_json> &items, DatasetFormat format)
{
    auto dump = [](const nlohmann::ordered_json &item) {
        return item.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    };
    std::string text;
    if (format == DatasetFormat::Csv) {
        std::vector<std::string> paths;
        for (const nlohmann::ordered_json &item : items)
            appendColumns(item, paths);
        ColumnList columns;
        for (const std::string &path : paths)
            columns.add(path);
        if (!columns.list().empty()) {
            text = csv::joinRecord(columns.list()) + "\n";
            for (const nlohmann::ordered_json &item : items) {
                std::vector<std::string> cells;
                for (const std::string &column : columns.list()) {
                    const nlohmann::ordered_json *value = findColumn(item, column);
                    cells.push_back(value ? csvCellText(*value) : std::string());
                }
                text += csv::joinRecord(cells) + "\n";
            }
        }
    } else if (format == DatasetFormat::JsonArray) {
        text = "[\n";
        for (std::size_t i = 0; i < items.size(); ++i)
            text += (i > 0 ? ",\n" : "") + dump(items[i]);
        text += items.empty() ? "]\n" : "\n]\n";
    } else {
        for (const nlohmann::ordered_json &item : items)
            text += dump(item) + "\n";
    }
    std::shared_ptr<SourceBuffer> source = SourceBuffer::fromText(std::move(text));
    Q_EMIT documentAboutToReset();
    d->stopWorker();
    d->resetState(source, format);
    d->path.clear();
    d->watch(QString());
    Q_EMIT documentReset();
    const std::atomic<bool> never{false};
    buildIndex(
        source->bytes(), format, [this](IndexBatch &&batch) { d->applyBatch(std::move(batch)); }, never);
    d->finishIndex(true);
    d->modified = !items.empty();
}

QString DatasetDocument::path() const
{
    return d->path;
}

DatasetFormat DatasetDocument::format() const
{
    return d->s.format;
}

bool DatasetDocument::isIndexing() const
{
    return d->indexing;
}

bool DatasetDocument::isComplete() const
{
    return d->complete;
}

void DatasetDocument::cancelIndexing()
{
    if (d->indexing && d->relay)
        d->relay->cancel();
}

qint64 DatasetDocument::rowCount() const
{
    return d->s.rowCount();
}

std::string DatasetDocument::rawText(qint64 row) const
{
    if (!d->validRow(row))
        return std::string();
    std::string buffer;
    return std::string(d->s.text(row, buffer));
}

ParsedRow DatasetDocument::parsedRow(qint64 row) const
{
    if (!d->validRow(row))
        return ParsedRow();
    return d->s.parseId(d->s.idAt(row));
}

qint64 DatasetDocument::lineNumber(qint64 row) const
{
    return d->validRow(row) ? d->s.lineOfId(d->s.idAt(row)) : 0;
}

bool DatasetDocument::isEdited(qint64 row) const
{
    return d->validRow(row) && d->s.edit(d->s.idAt(row)) != nullptr;
}

qint64 DatasetDocument::rowForLine(qint64 line) const
{
    const qint64 record = d->s.index.recordAtLine(line);
    if (record < 0)
        return -1;
    if (!d->s.ordered)
        return record;
    // The row of the latest source record at or before it that is still there.
    qint64 best = -1;
    qint64 bestId = -1;
    for (std::size_t row = 0; row < d->s.order.size(); ++row) {
        const qint64 id = d->s.order[row];
        if (id <= record && id > bestId) {
            bestId = id;
            best = static_cast<qint64>(row);
        }
    }
    return best;
}

QStringList DatasetDocument::columns() const
{
    QStringList list;
    list.reserve(static_cast<qsizetype>(d->s.columns.size()));
    for (const std::string &column : d->s.columns)
        list.append(QString::fromStdString(column));
    return list;
}

nlohmann::ordered_json DatasetDocument::value(qint64 row, const QString &column) const
{
    std::optional<nlohmann::ordered_json> found = findValue(row, column);
    return found ? std::move(*found) : nlohmann::ordered_json();
}

std::optional<nlohmann::ordered_json> DatasetDocument::findValue(qint64 row, const QString &column) const
{
    if (!d->validRow(row))
        return std::nullopt;
    return d->s.findValue(d->s.idAt(row), column.toStdString());
}

std::string DatasetDocument::emptyRowText() const
{
    if (d->s.format == DatasetFormat::Csv) {
        if (d->s.columns.size() == 1)
            return std::string("\"\"");
        return std::string(d->s.columns.empty() ? 0 : d->s.columns.size() - 1, ',');
    }
    if (d->s.rowCount() > 0) {
        std::string buffer;
        bool wrapped = false;
        const std::string_view text = d->s.text(0, buffer);
        if (!json::checkSyntax(text) && jsontext::itemObject(text, &wrapped) && wrapped)
            return std::string("{\"item\":{}}");
    }
    return std::string("{}");
}

bool DatasetDocument::setValue(qint64 row, const QString &column, const nlohmann::ordered_json &value)
{
    if (!d->validRow(row))
        return false;
    RowStore &s = d->s;
    const qint64 id = s.idAt(row);
    std::string buffer;
    const std::string text(s.textOfId(id, buffer));
    const std::string path = column.toStdString();
    std::string changed;
    if (s.format == DatasetFormat::Csv) {
        const int index = s.columnIndex(path);
        if (index < 0)
            return false;
        const std::optional<ProblemCheck> check = s.checkText(text, s.lineOfId(id));
        if (check && check->bad)
            return false;
        const std::vector<csv::Field> fields = csv::splitRecord(text);
        const std::string cell = csv::quoteField(csvCellText(value));
        const auto at = static_cast<std::size_t>(index);
        if (at < fields.size()) {
            changed = text.substr(0, fields[at].begin) + cell + text.substr(fields[at].end);
        } else {
            changed = text + std::string(at - fields.size() + 1, ',') + cell;
        }
        if (s.columns.size() == 1 && changed.empty())
            changed = "\"\"";
    } else {
        if (json::checkSyntax(text))
            return false;
        const std::optional<jsontext::Span> item = jsontext::itemObject(text);
        if (!item)
            return false;
        std::optional<std::string> patched = jsontext::setValue(
            text, *item, path, value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
        if (!patched)
            return false;
        changed = std::move(*patched);
    }
    if (changed == text)
        return true;
    d->storeEdit(id, changed);
    d->touch();
    if (d->addColumnsOf(changed))
        Q_EMIT columnsChanged();
    Q_EMIT rowsChanged(row, row);
    return true;
}

void DatasetDocument::setRawText(qint64 row, const std::string &raw)
{
    if (!d->validRow(row))
        return;
    const std::string text = d->normalizeRaw(raw);
    d->storeEdit(d->s.idAt(row), text);
    d->touch();
    if (d->addColumnsOf(text))
        Q_EMIT columnsChanged();
    Q_EMIT rowsChanged(row, row);
}

void DatasetDocument::insertRows(qint64 row, const std::vector<std::string> &rawRows)
{
    if (rawRows.empty())
        return;
    row = std::clamp<qint64>(row, 0, rowCount());
    const auto count = static_cast<qint64>(rawRows.size());
    Q_EMIT rowsAboutToBeInserted(row, row + count - 1);
    d->ensureOrdered();
    std::vector<qint64> ids;
    bool columnsGrew = false;
    for (const std::string &raw : rawRows) {
        const qint64 id = d->nextNewId--;
        const std::string text = d->normalizeRaw(raw);
        columnsGrew = d->addColumnsOf(text) || columnsGrew;
        d->storeEdit(id, text);
        ids.push_back(id);
    }
    d->s.order.insert(d->s.order.begin() + row, ids.begin(), ids.end());
    d->touch();
    Q_EMIT rowsInserted(row, row + count - 1);
    if (columnsGrew)
        Q_EMIT columnsChanged();
}

std::vector<std::string> DatasetDocument::removeRows(qint64 row, qint64 count)
{
    std::vector<std::string> removed;
    if (!d->validRow(row) || count <= 0)
        return removed;
    count = std::min(count, rowCount() - row);
    for (qint64 r = row; r < row + count; ++r)
        removed.push_back(rawText(r));
    takeRows(row, count);
    return removed;
}

bool DatasetDocument::addColumn(const QString &column, const nlohmann::ordered_json &defaultValue)
{
    const std::string path = column.toStdString();
    if (d->indexing || path.empty() || d->columnSet.contains(path))
        return false;
    auto op = std::make_shared<ColumnOp>();
    op->kind = ColumnOp::Kind::Add;
    op->column = path;
    if (d->s.format == DatasetFormat::Csv) {
        op->csvField = csv::quoteField(csvCellText(defaultValue));
        op->csvFieldCount = static_cast<qint64>(d->s.columns.size());
    } else {
        op->valueJson = defaultValue.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }
    d->s.ops.push_back(std::move(op));
    d->s.columns.push_back(path);
    d->columnSet.add(path);
    d->touch();
    Q_EMIT columnsChanged();
    if (rowCount() > 0)
        Q_EMIT rowsChanged(0, rowCount() - 1);
    return true;
}

bool DatasetDocument::renameColumn(const QString &from, const QString &to)
{
    const std::string source = from.toStdString();
    const std::string target = to.toStdString();
    if (d->indexing || target.empty() || source == target || !d->columnSet.contains(source) ||
        d->columnSet.contains(target))
        return false;
    if (d->s.format != DatasetFormat::Csv) {
        // The new path may neither hold other columns nor sit below an existing leaf column.
        for (const std::string &column : d->s.columns) {
            if (column.size() > target.size() && column.compare(0, target.size(), target) == 0 &&
                column[target.size()] == '.')
                return false;
            if (target.size() > column.size() && target.compare(0, column.size(), column) == 0 &&
                target[column.size()] == '.' && column != source)
                return false;
        }
    }
    auto op = std::make_shared<ColumnOp>();
    op->kind = ColumnOp::Kind::Rename;
    op->column = source;
    op->to = target;
    d->s.ops.push_back(std::move(op));
    for (std::string &column : d->s.columns) {
        if (column == source)
            column = target;
        else if (column.size() > source.size() && column.compare(0, source.size(), source) == 0 &&
                 column[source.size()] == '.')
            column = target + column.substr(source.size());
    }
    d->rebuildColumnSet();
    d->touch();
    Q_EMIT columnsChanged();
    if (rowCount() > 0)
        Q_EMIT rowsChanged(0, rowCount() - 1);
    return true;
}

std::vector<std::pair<qint64, RowProblem>> DatasetDocument::problems() const
{
    const RowStore &s = d->s;
    std::vector<std::pair<qint64, RowProblem>> list;
    if (!s.ordered && s.ops.empty()) {
        s.problems.forEach([&](const IndexedProblem &problem) {
            if (!s.edit(problem.record))
                list.emplace_back(problem.record, problem.problem);
        });
        for (const auto &[id, edit] : s.edits) {
            if (std::optional<ProblemCheck> check = s.checkText(edit->text, s.lineOfId(id)))
                list.emplace_back(id, check->problem);
        }
        std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        return list;
    }
    const qint64 rows = s.rowCount();
    for (qint64 row = 0; row < rows; ++row) {
        const qint64 id = s.idAt(row);
        if (s.isPristine(id)) {
            if (s.problems.size() > 0) {
                if (const IndexedProblem *problem = s.problems.find(id))
                    list.emplace_back(row, problem->problem);
            }
        } else if (std::optional<ProblemCheck> check = s.problemOfId(id)) {
            list.emplace_back(row, check->problem);
        }
    }
    return list;
}

qint64 DatasetDocument::problemCount() const
{
    const RowStore &s = d->s;
    if (!s.ordered && s.ops.empty() && s.edits.empty())
        return s.problems.size();
    return static_cast<qint64>(problems().size());
}

namespace {

// Writes `rows` to `path` atomically in `format`. Thread-safe for a RowStore nobody mutates.
bool writeRowsToFile(const RowStore &rows, const QString &path, DatasetFormat format, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QString writeError;
    const bool written = rows.write(
        format,
        [&](std::string_view piece) {
            if (piece.empty())
                return true;
            return file.write(piece.data(), static_cast<qint64>(piece.size())) ==
                   static_cast<qint64>(piece.size());
        },
        &writeError);
    if (!written) {
        const QString reason = file.error() != QFileDevice::NoError ? file.errorString() : writeError;
        file.cancelWriting();
        *error = QStringLiteral("cannot write %1: %2").arg(path, reason);
        return false;
    }
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

QString DatasetDocument::checkCanSave(const QString &path) const
{
    if (d->indexing)
        return QStringLiteral("the file is still being read; save when it is complete");
    if (!d->complete)
        return QStringLiteral("reading the file was cancelled; reopen it before saving");
    if (d->saveRelay)
        return QStringLiteral("a save is still running");
    if (path.isEmpty())
        return QStringLiteral("no file name to save to");
    return {};
}

void DatasetDocument::markSaved(const QString &path, DatasetFormat format, quint64 savedGeneration)
{
    if (format == d->s.format) {
        // Edits made while a background save ran are not in the file: still modified then.
        d->modified = d->generation != savedGeneration;
        d->path = path;
        d->watch(path);
        d->hashSavedFile();
    } else if (path == d->path) {
        d->signature = signatureOf(path);
    }
}

bool DatasetDocument::save(const QString &path, DatasetFormat format, QString *error)
{
    QString problem = checkCanSave(path);
    if (problem.isEmpty() && writeRowsToFile(d->s, path, format, &problem)) {
        markSaved(path, format, d->generation);
        return true;
    }
    if (error)
        *error = problem;
    return false;
}

bool DatasetDocument::saveInBackground(const QString &path, DatasetFormat format, QString *error)
{
    if (QString problem = checkCanSave(path); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    auto relay = std::make_shared<WorkerRelay>(this);
    d->saveRelay = relay;
    const quint64 savedGeneration = d->generation;
    // The relay is detached when the document goes away, so the reply never reaches a dead one.
    QThreadPool::globalInstance()->start([this, relay, rows = snapshot(), path, format, savedGeneration]() {
        QString problem;
        const bool ok = writeRowsToFile(*rows, path, format, &problem);
        relay->post([this, token = relay.get(), path, format, savedGeneration, ok, problem]() {
            if (d->saveRelay.get() != token)
                return;
            d->saveRelay.reset();
            if (ok)
                markSaved(path, format, savedGeneration);
            Q_EMIT saveFinished(path, ok, problem);
        });
    });
    return true;
}

bool DatasetDocument::isSaving() const
{
    return d->saveRelay != nullptr;
}

bool DatasetDocument::isModified() const
{
    return d->modified;
}

QByteArray DatasetDocument::contentHash() const
{
    const RowStore &s = d->s;
    if (s.edits.empty() && !s.ordered && s.ops.empty() && !d->sourceHash.isEmpty())
        return d->sourceHash;
    if (d->hashGeneration == d->generation)
        return d->cachedHash;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    s.write(
        s.format,
        [&](std::string_view piece) {
            hash.addData(QByteArrayView(piece.data(), static_cast<qsizetype>(piece.size())));
            return true;
        },
        nullptr);
    d->cachedHash = hash.result();
    d->hashGeneration = d->generation;
    return d->cachedHash;
}

bool DatasetDocument::hasContentHash() const
{
    const RowStore &s = d->s;
    return (s.edits.empty() && !s.ordered && s.ops.empty() && !d->sourceHash.isEmpty()) ||
           d->hashGeneration == d->generation;
}

DatasetDocument::RowState DatasetDocument::rowState(qint64 row) const
{
    if (!d->validRow(row))
        return RowState();
    const qint64 id = d->s.idAt(row);
    const auto it = d->s.edits.find(id);
    return RowState{id, it == d->s.edits.end() ? nullptr : it->second};
}

void DatasetDocument::restoreRowState(qint64 row, const RowState &state)
{
    if (!d->validRow(row))
        return;
    if (state.edit)
        d->s.edits[state.id] = state.edit;
    else
        d->s.edits.erase(state.id);
    d->touch();
    Q_EMIT rowsChanged(row, row);
}

std::vector<DatasetDocument::RowState> DatasetDocument::takeRows(qint64 row, qint64 count)
{
    std::vector<RowState> states;
    if (!d->validRow(row) || count <= 0)
        return states;
    count = std::min(count, rowCount() - row);
    for (qint64 r = row; r < row + count; ++r)
        states.push_back(rowState(r));
    Q_EMIT rowsAboutToBeRemoved(row, row + count - 1);
    d->ensureOrdered();
    d->s.order.erase(d->s.order.begin() + row, d->s.order.begin() + row + count);
    for (const RowState &state : states)
        d->s.edits.erase(state.id);
    d->touch();
    Q_EMIT rowsRemoved(row, row + count - 1);
    return states;
}

void DatasetDocument::putRows(qint64 row, const std::vector<RowState> &states)
{
    if (states.empty())
        return;
    row = std::clamp<qint64>(row, 0, rowCount());
    const auto count = static_cast<qint64>(states.size());
    Q_EMIT rowsAboutToBeInserted(row, row + count - 1);
    d->ensureOrdered();
    std::vector<qint64> ids;
    for (const RowState &state : states) {
        ids.push_back(state.id);
        if (state.edit)
            d->s.edits[state.id] = state.edit;
        else
            d->s.edits.erase(state.id);
    }
    d->s.order.insert(d->s.order.begin() + row, ids.begin(), ids.end());
    d->touch();
    Q_EMIT rowsInserted(row, row + count - 1);
}

DatasetDocument::ColumnState DatasetDocument::columnState() const
{
    return ColumnState{d->s.columns, d->s.ops};
}

void DatasetDocument::restoreColumnState(const ColumnState &state)
{
    if (state.columns == d->s.columns && state.ops == d->s.ops)
        return;
    const bool opsChanged = state.ops != d->s.ops;
    d->s.columns = state.columns;
    d->s.ops = state.ops;
    d->rebuildColumnSet();
    if (d->indexing) {
        // Columns the indexer found since the state was taken stay.
        for (const std::string &column : d->indexColumns.list()) {
            if (d->columnSet.add(column))
                d->s.columns.push_back(column);
        }
    }
    d->touch();
    Q_EMIT columnsChanged();
    if (opsChanged && rowCount() > 0)
        Q_EMIT rowsChanged(0, rowCount() - 1);
}

std::shared_ptr<const RowStore> DatasetDocument::snapshot() const
{
    return std::make_shared<const RowStore>(d->s);
}

} // namespace assay::dataset
