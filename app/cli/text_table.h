#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace assay::cli {

// A plain-text table for terminals and pipes: columns padded to their widest cell, numbers
// right-aligned, two spaces between columns, no trailing blanks.
class TextTable {
public:
    enum class Align { Left, Right };

    void addColumn(const QString &header, Align align = Align::Left);
    void addRow(const QStringList &cells);
    bool isEmpty() const { return m_rows.isEmpty(); }
    QString toString() const;

private:
    QStringList m_headers;
    QList<Align> m_aligns;
    QList<QStringList> m_rows;
};

} // namespace assay::cli
