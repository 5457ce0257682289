#pragma once

#include <QFrame>
#include <QList>

#include "models/compare/comparison_variant.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;
class QVBoxLayout;

namespace assay::ui {

class MessageCard;
class PromptEditor;

// The head of one variant column: its name (edited in place), a one-line summary of model, API
// and key parameters, the baseline badge, and buttons to run / stop the column, edit it, and a menu
// (Duplicate, Remove, Set as baseline, All parameters…). "Edit" unfolds a compact editor under the
// head: API, model, temperature, max output tokens, reasoning effort, "own prompt" (off: the
// comparison's shared prompt, which every column without its own prompt sends), instructions and
// messages (the playground's prompt editors, {{variables}} marked). Every other parameter is
// reached through "All parameters…", which opens the playground's parameters panel in a dialog.
class VariantHeader : public QFrame {
    Q_OBJECT
public:
    explicit VariantHeader(QWidget *parent = nullptr);

    // `effectivePrompt` is what the column sends (the shared prompt when the variant uses it).
    // Loading is not editing: `edited` is not emitted.
    void setVariant(const compare::ComparisonVariant &variant, const prompt::Conversation &effectivePrompt);
    // The variant as edited; its `prompt` is the edited prompt when it has its own.
    compare::ComparisonVariant variant() const;
    // The prompt in the editor (the shared prompt when the variant uses it).
    prompt::Conversation editedPrompt() const { return m_conversation; }
    QString name() const { return m_variant.name; }
    prompt::RequestParameters parameters() const { return m_variant.parameters; }

    void setBaseline(bool baseline);
    bool isBaseline() const { return m_baseline; }
    // Running: Run is disabled and Stop enabled; `status` is a short line ("3 of 10 done").
    void setRunning(bool running);
    void setStatusText(const QString &status);
    // At 2 columns Remove is disabled (a comparison needs two); at 8 Duplicate is.
    void setCanRemove(bool can);
    void setCanDuplicate(bool can);

    void setEditorVisible(bool visible);
    bool isEditorVisible() const;

    // Model names for the model picker (GET /models data[] or an id list); free text stays allowed.
    void setAvailableModels(const QStringList &models);

    // "gpt-4.1-mini · Responses · T 0.7 · max 512 · effort low"
    static QString summaryText(const prompt::RequestParameters &parameters);

Q_SIGNALS:
    void edited();
    void runRequested();
    void stopRequested();
    void duplicateRequested();
    void removeRequested();
    void baselineRequested();

private:
    void buildEditor();
    void loadEditor();
    void readEditor();
    void editorChanged();
    void addMessageCard(const prompt::Message &message);
    void updateSummary();
    void openAllParameters();

    compare::ComparisonVariant m_variant;
    prompt::Conversation m_conversation; // the prompt in the editor
    bool m_baseline = false;
    bool m_loading = false;

    QLineEdit *m_name = nullptr;
    QLabel *m_badge = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_status = nullptr;
    QToolButton *m_run = nullptr;
    QToolButton *m_stop = nullptr;
    QToolButton *m_edit = nullptr;
    QToolButton *m_more = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_baselineAction = nullptr;

    QWidget *m_editor = nullptr;
    QComboBox *m_api = nullptr;
    QComboBox *m_model = nullptr;
    QCheckBox *m_temperatureOn = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QCheckBox *m_maxTokensOn = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QComboBox *m_effort = nullptr;
    QCheckBox *m_ownPrompt = nullptr;
    PromptEditor *m_instructions = nullptr;
    QVBoxLayout *m_messagesLayout = nullptr;
    QList<MessageCard *> m_cards;
    QPushButton *m_addMessage = nullptr;
};

} // namespace assay::ui
