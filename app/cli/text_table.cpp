#include "app/cli/text_table.h"

#include <algorithm>

namespace assay::cli {

void TextTable::addColumn(const QString &header, Align align)
{
    m_headers << header;
    m_aligns << align;
}

void TextTable::addRow(const QStringList &cells)
{
    m_rows << cells;
}

QString TextTable::toString() const
{
    QList<qsizetype> widths;
    for (const QString &header : m_headers)
        widths << header.size();
    for (const QStringList &row : m_rows) {
        for (qsizetype c = 0; c < std::min(row.size(), widths.size()); ++c)
            widths[c] = std::max(widths[c], row.at(c).size());
    }
    auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype c = 0; c < widths.size(); ++c) {
            const QString cell = cells.value(c);
            if (c > 0)
                text += QStringLiteral("  ");
            const bool last = c + 1 == widths.size();
            if (m_aligns.at(c) == Align::Right)
                text += cell.rightJustified(widths.at(c));
            else
                text += last ? cell : cell.leftJustified(widths.at(c));
        }
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        return text + QLatin1Char('\n');
    };
    QString text = line(m_headers);
    for (const QStringList &row : m_rows)
        text += line(row);
    return text;
}

} // namespace assay::cli
