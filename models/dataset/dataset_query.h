#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QString>

namespace assay::dataset {

class DatasetDocument;
class RowStore;
class WorkerRelay;

// Which rows to show.
//
// Substring search looks at each value of a row separately (all columns, or only `column`): keys,
// quotes, escapes and CSV separators are not part of the text searched. Without `caseSensitive`,
// ASCII letters match either case (a search term with other letters falls back to a Unicode-aware
// case-insensitive regex). A regex is matched against the row's values joined by newlines (with ^
// and $ matching at each value's start and end), or against the one column's value. Objects and
// arrays inside a column are searched value by value too; a row that does not parse is searched
// as raw text.
struct RowFilter {
    QString text; // empty: no text condition
    bool regex = false;
    bool caseSensitive = false;
    QString column;            // empty: every column
    bool problemsOnly = false; // only rows with a problem (bad or suspicious)

    bool isActive() const { return !text.isEmpty() || problemsOnly; }
    bool operator==(const RowFilter &) const = default;
};

// Sort order for a column. Missing, null and empty values come last in both orders. Otherwise
// booleans < numbers < strings (reversed when descending); numbers, and strings that read as
// numbers (as every CSV cell is a string), compare numerically; strings compare by their first 64
// bytes of UTF-8 with ASCII case ignored; ties keep document order.
struct RowSort {
    QString column;
    Qt::SortOrder order = Qt::AscendingOrder;
    bool operator==(const RowSort &) const = default;
};

// Runs a filter and/or a sort over a snapshot of a document on pool threads (the rows are split
// between threads), reporting progress; the result is the list of document rows to show, in order.
class DatasetQuery : public QObject {
    Q_OBJECT
public:
    explicit DatasetQuery(QObject *parent = nullptr);
    ~DatasetQuery() override;

    // Starts over the document as it is now (a running query is dropped). An invalid regex fails at
    // once with failed().
    void start(const DatasetDocument &document, const RowFilter &filter, const std::optional<RowSort> &sort);
    // Stops a running query; emits cancelled().
    void cancel();
    bool isRunning() const;

    // The same work on the calling thread (command-line tools, tests). nullopt when the regex is
    // invalid (error set) or `cancelled` became true.
    static std::optional<std::vector<qint64>> run(const RowStore &rows, const RowFilter &filter,
                                                  const std::optional<RowSort> &sort,
                                                  QString *error = nullptr,
                                                  const std::atomic<bool> *cancelled = nullptr);

Q_SIGNALS:
    void progressed(int percent);
    void finished(const std::vector<qint64> &rows);
    void failed(const QString &message);
    void cancelled();

private:
    std::shared_ptr<WorkerRelay> m_relay;
};

} // namespace assay::dataset
