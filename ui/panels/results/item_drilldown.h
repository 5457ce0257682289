#pragma once

#include <optional>

#include <QPointer>
#include <QString>
#include <QWidget>

#include "models/store/verdict_store.h"

class QAction;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTextBrowser;
class QTextDocument;
class QUndoStack;
class QWidget;

namespace assay::store {
class EvalStore;
struct OutputItemRecord;
} // namespace assay::store

namespace assay::ui {

// One output item in full: the rendered input messages, the output (Markdown without HTML, JSON
// pretty-printed, tool calls), every grader's result (model graders' steps and own output), the
// raw request and response (Authorization redacted) and the dataset row. Above it, a table of the
// criteria (the whole item first) with the graders' verdicts, the person's verdicts and how often
// people and graders agree on each, and the buttons to judge the item by hand: Pass (P), Fail (F),
// Clear (C / Backspace), Note (N, Ctrl+Enter saves), previous / next item (K / J, Alt+Up / Alt+Down).
// Nothing a model or a dataset wrote is ever interpreted as HTML.
class ItemDrillDown : public QWidget {
    Q_OBJECT
public:
    explicit ItemDrillDown(QWidget *parent = nullptr);
    ~ItemDrillDown() override;

    // Both may be null (nothing shown). The widget follows VerdictStore::verdictsChanged.
    void setStores(store::EvalStore *evals, store::VerdictStore *verdicts);
    // Verdict and note changes are pushed there (undoable); without one they apply directly.
    void setUndoStack(QUndoStack *stack);

    // Reads the item (EvalStore::item) and shows it; false (and an empty view) when not found.
    bool showItem(qint64 runId, qint64 datasourceItemId);
    void clear();
    qint64 runId() const { return m_runId; }                       // 0 when nothing is shown
    qint64 datasourceItemId() const { return m_datasourceItemId; } // -1 when nothing is shown

    // The person's verdict on the shown item (criterion empty) or one of its criteria; the note
    // is kept. Verdict::None clears the verdict (the note stays).
    void setVerdict(store::HumanVerdict::Verdict verdict, const QString &criterion = {});
    void editNote();   // opens the note editor on the whole item's note
    void saveNote();   // stores the editor's text as the note (empty: removes the note)
    void cancelNote(); // closes the editor without saving

    QTextDocument *document() const; // everything shown below the criteria table
    QString text() const;            // its plain text
    QString verdictText() const;     // the line saying the person's verdict and note

    QAction *passAction() const { return m_pass; }
    QAction *failAction() const { return m_fail; }
    QAction *clearAction() const { return m_clear; }
    QAction *noteAction() const { return m_note; }
    QAction *nextAction() const { return m_next; }
    QAction *previousAction() const { return m_previous; }
    QTableWidget *criteriaTable() const { return m_criteria; }
    QPlainTextEdit *noteEditor() const { return m_noteEditor; }
    QTextBrowser *browser() const { return m_browser; }

Q_SIGNALS:
    void nextItemRequested();
    void previousItemRequested();
    void verdictChanged(qint64 runId, qint64 datasourceItemId);
    void statusMessage(const QString &message);

private:
    void buildDocument(const store::OutputItemRecord &item);
    void refreshVerdicts(); // criteria table, verdict line, action states
    void applyVerdict(const store::HumanVerdict &next, const QString &description);
    void onVerdictsChanged(qint64 runId);

    QPointer<store::EvalStore> m_evals;
    QPointer<store::VerdictStore> m_verdicts;
    QPointer<QUndoStack> m_undo;
    qint64 m_runId = 0;
    qint64 m_datasourceItemId = -1;
    QString m_itemStatus;
    QStringList m_criterionNames;        // graders' names, in the results' order
    QList<std::optional<bool>> m_graded; // per criterion: passed, nullopt when errored
    QStringList m_scores;                // per criterion, as shown

    QLabel *m_title = nullptr;
    QLabel *m_verdictLine = nullptr;
    QTableWidget *m_criteria = nullptr;
    QWidget *m_noteBox = nullptr;
    QPlainTextEdit *m_noteEditor = nullptr;
    QTextBrowser *m_browser = nullptr;
    QAction *m_pass = nullptr;
    QAction *m_fail = nullptr;
    QAction *m_clear = nullptr;
    QAction *m_note = nullptr;
    QAction *m_next = nullptr;
    QAction *m_previous = nullptr;
    QAction *m_saveNote = nullptr;
    QAction *m_cancelNote = nullptr;
    QAction *m_criterionPass = nullptr;
    QAction *m_criterionFail = nullptr;
};

} // namespace assay::ui
