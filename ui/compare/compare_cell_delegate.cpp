#include "ui/compare/compare_cell_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QTextLayout>

namespace assay::ui {

namespace {

constexpr int kPad = 6;

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

// A small rounded label ("pass", "B", "×3") painted at the right of the status line.
int paintBadge(QPainter *painter, int right, int centerY, const QString &text, const QColor &background,
               const QColor &foreground, const QFont &font)
{
    const QFontMetrics metrics(font);
    const int width = metrics.horizontalAdvance(text) + 8;
    const int height = metrics.height() + 2;
    const QRect rect(right - width, centerY - height / 2, width, height);
    painter->setPen(Qt::NoPen);
    painter->setBrush(background);
    painter->drawRoundedRect(rect, 3, 3);
    painter->setPen(foreground);
    painter->setFont(font);
    painter->drawText(rect, Qt::AlignCenter, text);
    return rect.left() - 4;
}

} // namespace

CompareCellDelegate::CompareCellDelegate(Describe describe, QObject *parent)
    : QStyledItemDelegate(parent), m_describe(std::move(describe))
{
}

QColor CompareCellDelegate::differsTint(const QPalette &palette)
{
    // Amber, faint enough for text on top, in light and dark palettes.
    return mix(palette.color(QPalette::Base), QColor(0xf5, 0xb0, 0x2e), 0.16);
}

void CompareCellDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const Cell cell = m_describe ? m_describe(index) : Cell();
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();

    painter->save();
    const QPalette &palette = opt.palette;
    const bool selected = opt.state & QStyle::State_Selected;
    QColor background = palette.color(QPalette::Base);
    if (cell.differs && !cell.baseline)
        background = differsTint(palette);
    if (cell.state == Cell::State::Failed)
        background = mix(palette.color(QPalette::Base), QColor(0xd1, 0x24, 0x2f), 0.10);
    painter->fillRect(opt.rect, background);
    if (selected) {
        QColor highlight = palette.color(QPalette::Highlight);
        highlight.setAlpha(35);
        painter->fillRect(opt.rect, highlight);
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->drawRect(opt.rect.adjusted(1, 1, -1, -1));
    }

    const QRect area = opt.rect.adjusted(kPad, kPad - 2, -kPad, -kPad + 2);
    QFont small = opt.font;
    small.setPointSizeF(std::max(7.0, opt.font.pointSizeF() * 0.88));
    const QFontMetrics smallMetrics(small);
    const int statusHeight = smallMetrics.height() + 2;
    const QRect textRect(area.left(), area.top(), area.width(), area.height() - statusHeight - 2);
    const QRect statusRect(area.left(), area.bottom() - statusHeight + 1, area.width(), statusHeight);

    // The answer: wrapped, cut at the preview height with an ellipsis on the last line.
    const QColor muted = palette.color(QPalette::PlaceholderText);
    QString text = cell.text;
    if (text.isEmpty()) {
        switch (cell.state) {
        case Cell::State::Empty: text = tr("Not run"); break;
        case Cell::State::Queued: text = tr("Queued…"); break;
        case Cell::State::Running: text = tr("Waiting for the first token…"); break;
        case Cell::State::Stopped: text = tr("Stopped"); break;
        case Cell::State::Failed: text = tr("Failed"); break;
        case Cell::State::Done: text = tr("(empty answer)"); break;
        }
        painter->setPen(muted);
        painter->setFont(opt.font);
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
    } else {
        painter->setPen(palette.color(QPalette::Text));
        painter->setFont(opt.font);
        QString flat = text.left(4000);
        flat.replace(QLatin1Char('\n'), QChar(0x2028));
        QTextLayout layout(flat, opt.font);
        QTextOption textOption;
        textOption.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(textOption);
        const QFontMetrics metrics(opt.font);
        layout.beginLayout();
        qreal y = 0;
        int shown = 0;
        while (true) {
            QTextLine line = layout.createLine();
            if (!line.isValid())
                break;
            line.setLineWidth(textRect.width());
            if (y + 2 * metrics.lineSpacing() > textRect.height()) {
                // Last visible line: draw it elided instead of laid out.
                const QString rest = flat.mid(line.textStart()).replace(QChar(0x2028), QLatin1Char(' '));
                painter->drawText(QPointF(textRect.left(), textRect.top() + y + metrics.ascent()),
                                  metrics.elidedText(rest, Qt::ElideRight, textRect.width()));
                shown = -1;
                break;
            }
            line.setPosition(QPointF(0, y));
            y += metrics.lineSpacing();
            ++shown;
        }
        layout.endLayout();
        for (int i = 0; i < layout.lineCount() && (shown < 0 ? i < layout.lineCount() - 1 : i < shown); ++i)
            layout.lineAt(i).draw(painter, textRect.topLeft());
    }

    // Status line: figures at the left, badges at the right.
    int right = statusRect.right();
    const int centerY = statusRect.center().y();
    QFont badgeFont = small;
    badgeFont.setBold(true);
    if (!cell.rating.isNull()) {
        QColor bg(0x6e, 0x77, 0x81);
        if (cell.rating == QLatin1Char('B'))
            bg = QColor(0x1a, 0x7f, 0x37);
        else if (cell.rating == QLatin1Char('W'))
            bg = QColor(0xcf, 0x22, 0x2e);
        const QString label = cell.rating == QLatin1Char('B')   ? tr("better")
                              : cell.rating == QLatin1Char('W') ? tr("worse")
                                                                : tr("tie");
        right = paintBadge(painter, right, centerY, label, bg, Qt::white, badgeFont);
    }
    if (cell.verdict != Cell::Verdict::None) {
        QColor bg(0x1a, 0x7f, 0x37);
        if (cell.verdict == Cell::Verdict::Fail)
            bg = QColor(0xcf, 0x22, 0x2e);
        else if (cell.verdict == Cell::Verdict::Partial)
            bg = QColor(0xbf, 0x87, 0x00);
        right = paintBadge(painter, right, centerY, cell.verdictText, bg, Qt::white, badgeFont);
    }
    if (cell.distinctAnswers > 1) {
        right = paintBadge(painter, right, centerY, tr("%1 distinct / %2").arg(cell.distinctAnswers).arg(cell.repeats),
                           QColor(0x82, 0x50, 0xdf), Qt::white, badgeFont);
    } else if (cell.repeats > 1 && cell.state == Cell::State::Done) {
        right = paintBadge(painter, right, centerY, tr("stable ×%1").arg(cell.repeats), QColor(0x6e, 0x77, 0x81),
                           Qt::white, badgeFont);
    }
    QString status = cell.statusLine;
    if (status.isEmpty() && cell.state == Cell::State::Running)
        status = tr("running…");
    painter->setFont(small);
    painter->setPen(cell.state == Cell::State::Failed ? QColor(0xcf, 0x22, 0x2e) : muted);
    const QRect figures(statusRect.left(), statusRect.top(), std::max(0, right - statusRect.left()), statusRect.height());
    painter->drawText(figures, Qt::AlignLeft | Qt::AlignVCenter,
                      smallMetrics.elidedText(status, Qt::ElideRight, figures.width()));

    // Grid line at the bottom and right, so rows of tall cells stay apart.
    painter->setPen(palette.color(QPalette::Midlight));
    painter->drawLine(opt.rect.bottomLeft(), opt.rect.bottomRight());
    painter->restore();
}

QSize CompareCellDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Q_UNUSED(index);
    const QFontMetrics metrics(option.font);
    QFont small = option.font;
    small.setPointSizeF(std::max(7.0, option.font.pointSizeF() * 0.88));
    const int height = 2 * kPad + m_previewLines * metrics.lineSpacing() + QFontMetrics(small).height() + 4;
    return {260, height};
}

} // namespace assay::ui
