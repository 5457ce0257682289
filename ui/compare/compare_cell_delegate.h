#pragma once

#include <functional>

#include <QStyledItemDelegate>

namespace assay::ui {

// Paints one cell of the comparison matrix: the answer's first lines, and a status line under
// them (latency, tokens, cost, or the error / "running…"); a pass/fail badge when graders are
// attached, the hand rating (B / W / T against the baseline), the number of distinct answers when
// the cell was repeated, and a tinted background when the answer differs from the baseline's.
// The delegate knows nothing of the model's roles: the view gives it a function that describes a
// cell, so the model's layout can change without touching the painting.
class CompareCellDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    struct Cell {
        enum class State { Empty, Queued, Running, Done, Failed, Stopped };
        State state = State::Empty;
        QString text;       // the answer (plain text; painted as text, never as markup)
        QString statusLine; // "1.24 s · 312 tok · $0.0004", or the error
        enum class Verdict { None, Pass, Fail, Partial };
        Verdict verdict = Verdict::None;
        QString verdictText; // "pass", "2/3", "fail"
        QChar rating;        // 'B', 'W', 'T' or null
        bool baseline = false;
        bool differs = false; // answer differs from the baseline cell of its row
        int distinctAnswers = 0; // > 1 when repeats disagree
        int repeats = 0;
    };
    using Describe = std::function<Cell(const QModelIndex &index)>;

    explicit CompareCellDelegate(Describe describe, QObject *parent = nullptr);

    void setPreviewLines(int lines) { m_previewLines = lines; }
    int previewLines() const { return m_previewLines; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QColor differsTint(const QPalette &palette);

private:
    Describe m_describe;
    int m_previewLines = 4;
};

} // namespace assay::ui
