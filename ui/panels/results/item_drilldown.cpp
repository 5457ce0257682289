#include "ui/panels/results/item_drilldown.h"

#include <map>

#include <QAction>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "models/store/eval_store.h"

namespace assay::ui {

namespace {

using json = nlohmann::json;
using store::HumanVerdict;
using Verdict = HumanVerdict::Verdict;

// Longer blocks are cut so a huge raw response cannot stall the GUI while it is laid out.
constexpr qsizetype kMaxBlock = 200000;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QString pretty(const json &value)
{
    return fromStd(value.dump(2, ' ', false, json::error_handler_t::replace));
}

QString stringOf(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    return it->is_string() ? fromStd(it->get<std::string>()) : fromStd(it->dump());
}

// A JSON document when the text is one (an object or array: a bare number or word is prose).
std::optional<json> parseJsonText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (!trimmed.startsWith(QLatin1Char('{')) && !trimmed.startsWith(QLatin1Char('[')))
        return std::nullopt;
    json parsed = json::parse(trimmed.toStdString(), nullptr, false);
    if (parsed.is_discarded())
        return std::nullopt;
    return parsed;
}

// A message's content: a string, or parts (input_text, output_text, images, files...).
QString contentText(const json &content)
{
    if (content.is_null())
        return {};
    if (content.is_string())
        return fromStd(content.get<std::string>());
    if (content.is_array()) {
        QStringList parts;
        for (const json &part : content) {
            if (part.is_string()) {
                parts << fromStd(part.get<std::string>());
            } else if (part.is_object() && part.contains("text") && part["text"].is_string()) {
                parts << fromStd(part["text"].get<std::string>());
            } else if (part.is_object()) {
                const QString type = stringOf(part, "type");
                QString where = stringOf(part, "image_url");
                if (where.isEmpty())
                    where = stringOf(part, "file_url");
                if (where.isEmpty())
                    where = stringOf(part, "filename");
                if (where.size() > 120)
                    where = where.left(120) + QStringLiteral("…");
                parts << QStringLiteral("[%1%2]").arg(type.isEmpty() ? QStringLiteral("part") : type,
                                                      where.isEmpty() ? QString()
                                                                      : QStringLiteral(": ") + where);
            }
        }
        return parts.join(QLatin1Char('\n'));
    }
    return pretty(content);
}

// Keys never reach the raw request (its headers are not kept), but a key pasted into a prompt
// would: whatever looks like one is blanked before it is shown.
QString redactSecrets(QString text)
{
    static const QRegularExpression key(QStringLiteral("\\bsk-[A-Za-z0-9_\\-]{8,}"));
    static const QRegularExpression bearer(
        QStringLiteral("Bearer\\s+(?!\\[redacted\\])[A-Za-z0-9._~+/=\\-]+"));
    text.replace(key, QStringLiteral("sk-[redacted]"));
    text.replace(bearer, QStringLiteral("Bearer [redacted]"));
    return text;
}

QString verdictWord(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass:
        return ItemDrillDown::tr("Pass");
    case Verdict::Fail:
        return ItemDrillDown::tr("Fail");
    case Verdict::None:
        break;
    }
    return {};
}

QString agreementText(const store::CriterionAgreement &agreement)
{
    if (agreement.compared() == 0)
        return ItemDrillDown::tr("no verdicts to compare");
    QString text = ItemDrillDown::tr("%1 of %2 agree").arg(agreement.agreed()).arg(agreement.compared());
    if (const auto rate = agreement.rate())
        text += QStringLiteral(" (%1%)").arg(QString::number(*rate * 100.0, 'f', 0));
    const auto kappa = agreement.cohensKappa();
    text += kappa ? QStringLiteral(", κ %1").arg(QString::number(*kappa, 'f', 2)) : QStringLiteral(", κ —");
    return text;
}

// Builds the document block by block through QTextCursor: text goes in as text, so nothing in it
// can become markup. Only Markdown goes through a parser, and that one ignores HTML.
class DocumentWriter {
public:
    explicit DocumentWriter(QTextDocument *document) : m_document(document), m_cursor(document)
    {
        m_plain.setFontWeight(QFont::Normal);
        m_bold = m_plain;
        m_bold.setFontWeight(QFont::Bold);
        m_muted = m_plain;
        m_muted.setFontItalic(true);
        m_muted.setForeground(QColor(0x6b, 0x6b, 0x6b));
        m_mono = m_plain;
        m_mono.setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    }

    void heading(const QString &text, int level)
    {
        QTextBlockFormat block;
        block.setHeadingLevel(level);
        block.setTopMargin(level <= 2 ? 14 : 8);
        block.setBottomMargin(4);
        QTextCharFormat format = m_bold;
        format.setFontPointSize(m_document->defaultFont().pointSizeF() * (level <= 2 ? 1.3 : 1.1));
        startBlock(block, format);
        m_cursor.insertText(text, format);
    }

    void paragraph(const QString &text) { plainBlock(text, m_plain); }
    void muted(const QString &text) { plainBlock(text, m_muted); }

    void field(const QString &label, const QString &value)
    {
        startBlock(QTextBlockFormat(), m_plain);
        m_cursor.insertText(label + QStringLiteral(": "), m_bold);
        m_cursor.insertText(value, m_plain);
    }

    void code(QString text)
    {
        if (text.size() > kMaxBlock) {
            const qsizetype total = text.size();
            text.truncate(kMaxBlock);
            text += QStringLiteral("\n… ") + ItemDrillDown::tr("(cut: %1 characters in all)").arg(total);
        }
        QTextBlockFormat block;
        block.setBackground(QColor(0xf3, 0xf3, 0xf3));
        block.setLeftMargin(8);
        block.setNonBreakableLines(false);
        startBlock(block, m_mono);
        m_cursor.insertText(text, m_mono); // each line becomes a block of the same format
    }

    void markdown(const QString &text)
    {
        QTextDocument rendered;
        rendered.setDefaultFont(m_document->defaultFont());
        rendered.setMarkdown(text.size() > kMaxBlock ? text.left(kMaxBlock) : text,
                             QTextDocument::MarkdownNoHTML);
        startBlock(QTextBlockFormat(), m_plain);
        m_cursor.insertFragment(QTextDocumentFragment(&rendered));
    }

private:
    void plainBlock(const QString &text, const QTextCharFormat &format)
    {
        startBlock(QTextBlockFormat(), format);
        m_cursor.insertText(text, format);
    }

    void startBlock(const QTextBlockFormat &block, const QTextCharFormat &format)
    {
        if (m_first) {
            m_cursor.setBlockFormat(block);
            m_cursor.setBlockCharFormat(format);
            m_first = false;
        } else {
            m_cursor.insertBlock(block, format);
        }
    }

    QTextDocument *m_document;
    QTextCursor m_cursor;
    QTextCharFormat m_plain;
    QTextCharFormat m_bold;
    QTextCharFormat m_muted;
    QTextCharFormat m_mono;
    bool m_first = true;
};

// A browser that loads nothing: an image in a model's Markdown must not read a local file or
// reach the network.
class InertBrowser : public QTextBrowser {
public:
    using QTextBrowser::QTextBrowser;

protected:
    QVariant loadResource(int, const QUrl &) override { return {}; }
};

// One verdict or note change, undoable: undo puts back what was there (its time kept) or
// removes the entry that did not exist.
class VerdictCommand : public QUndoCommand {
public:
    VerdictCommand(store::VerdictStore *verdicts, std::optional<HumanVerdict> before, HumanVerdict after,
                   const QString &text)
        : QUndoCommand(text), m_verdicts(verdicts), m_before(std::move(before)), m_after(std::move(after))
    {
    }

    void redo() override
    {
        if (!m_verdicts)
            return;
        if (m_after.verdict == Verdict::None && m_after.note.trimmed().isEmpty())
            m_verdicts->clearVerdict(m_after.runId, m_after.datasourceItemId, m_after.criterion);
        else
            m_verdicts->setVerdict(m_after);
    }

    void undo() override
    {
        if (!m_verdicts)
            return;
        if (m_before)
            m_verdicts->restoreVerdicts({*m_before});
        else
            m_verdicts->clearVerdict(m_after.runId, m_after.datasourceItemId, m_after.criterion);
    }

private:
    QPointer<store::VerdictStore> m_verdicts;
    std::optional<HumanVerdict> m_before;
    HumanVerdict m_after;
};

QAction *makeAction(QWidget *owner, const QString &text, const QString &tip, const QList<QKeySequence> &keys)
{
    auto *action = new QAction(text, owner);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QStringList names;
    for (const QKeySequence &key : keys)
        names << key.toString(QKeySequence::NativeText);
    action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, names.join(QStringLiteral(" / "))));
    owner->addAction(action);
    return action;
}

QToolButton *buttonFor(QAction *action, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setFocusPolicy(Qt::NoFocus); // keys keep going to the view, where the shortcuts are
    return button;
}

enum CriteriaColumn { CriterionColumn, GraderColumn, ScoreColumn, HumanColumn, AgreementColumn, ColumnCount };

} // namespace

ItemDrillDown::ItemDrillDown(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("itemDrillDown"));
    setFocusPolicy(Qt::StrongFocus);

    m_pass = makeAction(this, tr("Pass"), tr("Mark the whole item Pass"), {QKeySequence(Qt::Key_P)});
    m_fail = makeAction(this, tr("Fail"), tr("Mark the whole item Fail"), {QKeySequence(Qt::Key_F)});
    m_clear = makeAction(this, tr("Clear"), tr("Clear your verdict on the item (the note stays)"),
                         {QKeySequence(Qt::Key_C), QKeySequence(Qt::Key_Backspace)});
    m_note = makeAction(this, tr("Note…"), tr("Add or edit a note on the item; Ctrl+Enter saves"),
                        {QKeySequence(Qt::Key_N)});
    m_previous = makeAction(this, tr("◀ Previous"), tr("Previous item"),
                            {QKeySequence(Qt::Key_K), QKeySequence(Qt::ALT | Qt::Key_Up)});
    m_next = makeAction(this, tr("Next ▶"), tr("Next item"),
                        {QKeySequence(Qt::Key_J), QKeySequence(Qt::ALT | Qt::Key_Down)});
    m_criterionPass = makeAction(this, tr("Criterion pass"), tr("Mark the selected criterion Pass"),
                                 {QKeySequence(Qt::SHIFT | Qt::Key_P)});
    m_criterionFail = makeAction(this, tr("Criterion fail"), tr("Mark the selected criterion Fail"),
                                 {QKeySequence(Qt::SHIFT | Qt::Key_F)});

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("drillDownTitle"));
    m_title->setTextFormat(Qt::PlainText);
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_verdictLine = new QLabel(this);
    m_verdictLine->setObjectName(QStringLiteral("drillDownVerdict"));
    m_verdictLine->setTextFormat(Qt::PlainText); // the note is a person's text: shown as typed
    m_verdictLine->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    for (QAction *action : {m_pass, m_fail, m_clear, m_note})
        buttons->addWidget(buttonFor(action, this));
    buttons->addStretch(1);
    buttons->addWidget(buttonFor(m_previous, this));
    buttons->addWidget(buttonFor(m_next, this));

    m_criteria = new QTableWidget(0, ColumnCount, this);
    m_criteria->setObjectName(QStringLiteral("drillDownCriteria"));
    m_criteria->setHorizontalHeaderLabels(
        {tr("Criterion"), tr("Grader"), tr("Score"), tr("You"), tr("Agreement")});
    m_criteria->horizontalHeaderItem(HumanColumn)
        ->setToolTip(tr("Your verdict per criterion: the buttons, or Shift+P / Shift+F on the selected row"));
    m_criteria->horizontalHeaderItem(AgreementColumn)
        ->setToolTip(tr("Over this run: items where a person and the grader both gave pass/fail, how many "
                        "agree, and Cohen's kappa (agreement beyond chance)"));
    m_criteria->verticalHeader()->hide();
    m_criteria->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_criteria->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_criteria->setSelectionMode(QAbstractItemView::SingleSelection);
    m_criteria->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_criteria->horizontalHeader()->setSectionResizeMode(AgreementColumn, QHeaderView::Stretch);
    m_criteria->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);

    m_noteBox = new QWidget(this);
    m_noteBox->setObjectName(QStringLiteral("drillDownNoteBox"));
    m_noteEditor = new QPlainTextEdit(m_noteBox);
    m_noteEditor->setObjectName(QStringLiteral("drillDownNoteEditor"));
    m_noteEditor->setPlaceholderText(tr("A note on this item (Ctrl+Enter saves, Esc cancels)"));
    m_noteEditor->setTabChangesFocus(true);
    m_noteEditor->setMaximumHeight(90);
    m_saveNote = new QAction(tr("Save note"), m_noteBox);
    m_saveNote->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_saveNote->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_saveNote->setToolTip(tr("Save the note (Ctrl+Enter)"));
    m_noteBox->addAction(m_saveNote);
    m_cancelNote = new QAction(tr("Cancel"), m_noteBox);
    m_cancelNote->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelNote->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_cancelNote->setToolTip(tr("Close the editor without saving (Esc)"));
    m_noteBox->addAction(m_cancelNote);
    auto *noteButtons = new QVBoxLayout;
    noteButtons->addWidget(buttonFor(m_saveNote, m_noteBox));
    noteButtons->addWidget(buttonFor(m_cancelNote, m_noteBox));
    noteButtons->addStretch(1);
    auto *noteLayout = new QHBoxLayout(m_noteBox);
    noteLayout->setContentsMargins(0, 0, 0, 0);
    noteLayout->addWidget(m_noteEditor, 1);
    noteLayout->addLayout(noteButtons);
    m_noteBox->hide();

    m_browser = new InertBrowser(this);
    m_browser->setObjectName(QStringLiteral("drillDownBrowser"));
    m_browser->setOpenLinks(false);
    m_browser->setOpenExternalLinks(false);
    m_browser->setPlaceholderText(
        tr("Choose an item to see its input, output, grader results and raw exchange."));
    setFocusProxy(m_browser);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_verdictLine);
    layout->addLayout(buttons);
    layout->addWidget(m_criteria);
    layout->addWidget(m_noteBox);
    layout->addWidget(m_browser, 1);

    connect(m_pass, &QAction::triggered, this, [this] { setVerdict(Verdict::Pass); });
    connect(m_fail, &QAction::triggered, this, [this] { setVerdict(Verdict::Fail); });
    connect(m_clear, &QAction::triggered, this, [this] { setVerdict(Verdict::None); });
    connect(m_note, &QAction::triggered, this, &ItemDrillDown::editNote);
    connect(m_saveNote, &QAction::triggered, this, &ItemDrillDown::saveNote);
    connect(m_cancelNote, &QAction::triggered, this, &ItemDrillDown::cancelNote);
    connect(m_next, &QAction::triggered, this, &ItemDrillDown::nextItemRequested);
    connect(m_previous, &QAction::triggered, this, &ItemDrillDown::previousItemRequested);
    auto criterionVerdict = [this](Verdict verdict) {
        const int row = m_criteria->currentRow();
        if (row < 0)
            return;
        // Row 0 is the whole item.
        setVerdict(verdict, row == 0 ? QString() : m_criterionNames.value(row - 1));
    };
    connect(m_criterionPass, &QAction::triggered, this,
            [criterionVerdict] { criterionVerdict(Verdict::Pass); });
    connect(m_criterionFail, &QAction::triggered, this,
            [criterionVerdict] { criterionVerdict(Verdict::Fail); });

    clear();
}

ItemDrillDown::~ItemDrillDown() = default;

void ItemDrillDown::setStores(store::EvalStore *evals, store::VerdictStore *verdicts)
{
    if (m_verdicts)
        disconnect(m_verdicts, nullptr, this, nullptr);
    m_evals = evals;
    m_verdicts = verdicts;
    if (m_verdicts)
        connect(m_verdicts, &store::VerdictStore::verdictsChanged, this, &ItemDrillDown::onVerdictsChanged);
    clear();
}

void ItemDrillDown::setUndoStack(QUndoStack *stack)
{
    m_undo = stack;
}

void ItemDrillDown::clear()
{
    m_runId = 0;
    m_datasourceItemId = -1;
    m_itemStatus.clear();
    m_criterionNames.clear();
    m_graded.clear();
    m_scores.clear();
    m_title->setText(tr("No item"));
    m_browser->document()->clear();
    m_noteBox->hide();
    refreshVerdicts();
}

bool ItemDrillDown::showItem(qint64 runId, qint64 datasourceItemId)
{
    cancelNote();
    if (!m_evals) {
        clear();
        return false;
    }
    const std::optional<store::OutputItemRecord> item = m_evals->item(runId, datasourceItemId);
    if (!item) {
        clear();
        m_title->setText(tr("Item %1 of run %2 is not in the workspace.").arg(datasourceItemId).arg(runId));
        return false;
    }
    m_runId = runId;
    m_datasourceItemId = datasourceItemId;
    m_itemStatus = item->status;
    m_criterionNames.clear();
    m_graded.clear();
    m_scores.clear();
    if (item->results.is_array()) {
        for (const json &result : item->results) {
            if (!result.is_object())
                continue;
            m_criterionNames << stringOf(result, "name");
            const json score = result.value("score", json());
            m_scores << (score.is_number() ? QString::number(score.get<double>(), 'g', 4) : QString());
            const bool errored = result.contains("error") && !result["error"].is_null();
            const json passed = result.value("passed", json());
            m_graded << (errored || !passed.is_boolean() ? std::optional<bool>()
                                                         : std::optional<bool>(passed.get<bool>()));
        }
    }

    QString runName;
    if (const auto run = m_evals->run(runId); run && !run->name.isEmpty())
        runName = run->name;
    QStringList facts;
    facts << (runName.isEmpty() ? tr("Run %1").arg(runId) : tr("Run “%1” (%2)").arg(runName).arg(runId));
    facts << tr("item %1").arg(datasourceItemId);
    facts << item->status;
    if (item->latencyMs >= 0)
        facts << tr("%1 ms").arg(item->latencyMs) + (item->cacheHit ? tr(" (cached)") : QString());
    if (const json usage = item->sample.is_object() ? item->sample.value("usage", json()) : json();
        usage.is_object()) {
        const auto tokens = [&usage](const char *key) {
            const auto it = usage.find(key);
            return it != usage.end() && it->is_number() ? it->get<qint64>() : qint64(0);
        };
        facts << tr("%1 in / %2 out tokens").arg(tokens("prompt_tokens")).arg(tokens("completion_tokens"));
    }
    m_title->setText(facts.join(QStringLiteral(" · ")));

    buildDocument(*item);
    refreshVerdicts();
    return true;
}

void ItemDrillDown::buildDocument(const store::OutputItemRecord &item)
{
    QTextDocument *document = m_browser->document();
    document->clear();
    DocumentWriter out(document);
    const json sample = item.sample.is_object() ? item.sample : json::object();

    out.heading(tr("Input"), 2);
    const json input = sample.value("input", json());
    if (input.is_array() && !input.empty()) {
        for (const json &message : input) {
            if (!message.is_object()) {
                out.paragraph(contentText(message));
                continue;
            }
            out.heading(stringOf(message, "role").isEmpty() ? tr("message") : stringOf(message, "role"), 3);
            out.paragraph(contentText(message.value("content", json())));
        }
    } else if (input.is_string()) {
        out.paragraph(fromStd(input.get<std::string>()));
    } else {
        out.muted(tr("Not recorded."));
    }

    out.heading(tr("Output"), 2);
    if (!item.error.isEmpty())
        out.field(tr("Error"), item.error);
    if (const json error = sample.value("error", json());
        error.is_object() && !stringOf(error, "message").isEmpty())
        out.field(tr("Sampling error"), stringOf(error, "message") + QStringLiteral(" (") +
                                            stringOf(error, "code") + QLatin1Char(')'));
    const json output = sample.value("output", json());
    bool anyOutput = false;
    if (output.is_array()) {
        for (const json &message : output) {
            if (!message.is_object())
                continue;
            anyOutput = true;
            out.heading(stringOf(message, "role").isEmpty() ? tr("assistant") : stringOf(message, "role"), 3);
            const QString text = contentText(message.value("content", json()));
            if (const auto parsed = parseJsonText(text)) {
                out.muted(tr("JSON"));
                out.code(pretty(*parsed));
            } else if (!text.isEmpty()) {
                out.markdown(text);
            }
            if (!stringOf(message, "refusal").isEmpty())
                out.field(tr("Refusal"), stringOf(message, "refusal"));
            if (const json calls = message.value("tool_calls", json()); calls.is_array()) {
                for (const json &call : calls) {
                    const json function = call.is_object() ? call.value("function", json()) : json();
                    out.field(tr("Tool call"), stringOf(function, "name"));
                    const QString arguments = stringOf(function, "arguments");
                    const auto parsed = parseJsonText(arguments);
                    out.code(parsed ? pretty(*parsed) : arguments);
                }
            }
        }
    }
    if (!anyOutput && !stringOf(sample, "output_text").isEmpty()) {
        anyOutput = true;
        out.markdown(stringOf(sample, "output_text"));
    }
    if (!anyOutput)
        out.muted(tr("No output."));
    QStringList about;
    if (!stringOf(sample, "model").isEmpty())
        about << tr("model %1").arg(stringOf(sample, "model"));
    if (!stringOf(sample, "finish_reason").isEmpty())
        about << tr("finish reason %1").arg(stringOf(sample, "finish_reason"));
    if (!stringOf(sample, "system_fingerprint").isEmpty())
        about << tr("fingerprint %1").arg(stringOf(sample, "system_fingerprint"));
    if (!about.isEmpty())
        out.muted(about.join(QStringLiteral(" · ")));

    out.heading(tr("Graders"), 2);
    if (!item.results.is_array() || item.results.empty())
        out.muted(tr("No grader results."));
    for (const json &result : item.results.is_array() ? item.results : json::array()) {
        if (!result.is_object())
            continue;
        const QString type = stringOf(result, "type");
        out.heading(type.isEmpty() ? stringOf(result, "name")
                                   : QStringLiteral("%1 (%2)").arg(stringOf(result, "name"), type),
                    3);
        const json score = result.value("score", json());
        const json passed = result.value("passed", json());
        const bool errored = result.contains("error") && !result["error"].is_null();
        out.field(tr("Score"), score.is_number() ? QString::number(score.get<double>(), 'g', 4) : tr("none"));
        out.field(tr("Result"), errored               ? tr("errored")
                                : passed.is_boolean() ? (passed.get<bool>() ? tr("passed") : tr("failed"))
                                                      : tr("no verdict"));
        if (errored)
            out.field(tr("Error"), stringOf(result, "error"));
        if (!stringOf(result, "invalid_reason").isEmpty())
            out.field(tr("Invalid"), stringOf(result, "invalid_reason"));
        const json detail = result.value("sample", json());
        if (detail.is_null())
            continue;
        if (detail.is_object() &&
            (detail.contains("steps") || detail.contains("output") || detail.contains("reasoning"))) {
            // A model grader: its reasoning first, then what it answered.
            if (!stringOf(detail, "model").isEmpty())
                out.field(tr("Grader model"), stringOf(detail, "model"));
            if (!stringOf(detail, "reasoning").isEmpty())
                out.field(tr("Reasoning"), stringOf(detail, "reasoning"));
            if (const json steps = detail.value("steps", json()); steps.is_array() && !steps.empty()) {
                out.paragraph(tr("Steps:"));
                int n = 0;
                for (const json &step : steps) {
                    ++n;
                    if (step.is_object())
                        out.paragraph(QStringLiteral("%1. %2 → %3")
                                          .arg(n)
                                          .arg(stringOf(step, "description"), stringOf(step, "conclusion")));
                    else
                        out.paragraph(QStringLiteral("%1. %2").arg(n).arg(contentText(step)));
                }
            }
            if (const json own = detail.value("output", json()); !own.is_null()) {
                out.paragraph(tr("Grader output:"));
                const QString text = contentText(own);
                const auto parsed = parseJsonText(text);
                out.code(parsed ? pretty(*parsed) : text);
            }
        } else if (type == QLatin1String("multi") && detail.is_object()) {
            for (const auto &[variable, sub] : detail.items()) {
                const json subScore = sub.is_object() ? sub.value("score", json()) : json();
                const json subPassed = sub.is_object() ? sub.value("passed", json()) : json();
                out.paragraph(
                    QStringLiteral("%1 (%2): %3, %4")
                        .arg(fromStd(variable), stringOf(sub, "type"),
                             subScore.is_number() ? QString::number(subScore.get<double>(), 'g', 4)
                                                  : tr("none"),
                             subPassed.is_boolean() && subPassed.get<bool>() ? tr("passed") : tr("failed")));
            }
        } else if (detail.is_object() && (detail.contains("stdout") || detail.contains("stderr"))) {
            if (!stringOf(detail, "stdout").isEmpty()) {
                out.paragraph(tr("Standard output:"));
                out.code(stringOf(detail, "stdout"));
            }
            if (!stringOf(detail, "stderr").isEmpty()) {
                out.paragraph(tr("Standard error:"));
                out.code(stringOf(detail, "stderr"));
            }
        } else {
            out.code(pretty(detail));
        }
    }

    out.heading(tr("Raw request"), 2);
    if (item.rawRequest.is_object()) {
        const QString method = stringOf(item.rawRequest, "method").isEmpty()
                                   ? QStringLiteral("POST")
                                   : stringOf(item.rawRequest, "method");
        QString text =
            QStringLiteral("%1 %2\nAuthorization: Bearer [redacted]\nContent-Type: application/json\n\n")
                .arg(method, stringOf(item.rawRequest, "url"));
        const json body = item.rawRequest.value("body", json());
        text += body.is_string() ? fromStd(body.get<std::string>()) : pretty(body);
        out.code(redactSecrets(text));
    } else {
        out.muted(item.openaiId.isEmpty() ? tr("Not recorded: the item errored before sampling, or its run "
                                               "is older than raw exchanges.")
                                          : tr("Not recorded: the item was imported from the Evals API."));
    }
    out.heading(tr("Raw response"), 2);
    if (!item.rawResponse.is_null())
        out.code(redactSecrets(pretty(item.rawResponse)));
    else
        out.muted(tr("Not recorded."));

    out.heading(tr("Dataset row"), 2);
    out.code(pretty(item.datasourceItem.is_null() ? json::object() : item.datasourceItem));
    m_browser->moveCursor(QTextCursor::Start);
}

void ItemDrillDown::refreshVerdicts()
{
    const bool shown = m_runId > 0 && m_datasourceItemId >= 0;
    const bool judging = shown && m_verdicts;
    for (QAction *action : {m_pass, m_fail, m_clear, m_note, m_criterionPass, m_criterionFail})
        action->setEnabled(judging);
    m_next->setEnabled(shown);
    m_previous->setEnabled(shown);

    const int keepRow = m_criteria->currentRow();
    m_criteria->clearContents();
    if (!shown) {
        m_criteria->setRowCount(0);
        m_verdictLine->clear();
        return;
    }
    std::map<QString, store::CriterionAgreement> agreement;
    std::map<QString, HumanVerdict> mine;
    if (m_verdicts) {
        for (const store::CriterionAgreement &entry : m_verdicts->agreement(m_runId))
            agreement[entry.criterion] = entry;
        for (const HumanVerdict &verdict : m_verdicts->verdictsForItem(m_runId, m_datasourceItemId))
            mine[verdict.criterion] = verdict;
    }

    m_criteria->setRowCount(static_cast<int>(m_criterionNames.size()) + 1);
    for (int row = 0; row <= m_criterionNames.size(); ++row) {
        const QString criterion = row == 0 ? QString() : m_criterionNames[row - 1];
        QString grader;
        QString score;
        if (row == 0) {
            grader = m_itemStatus;
        } else {
            const std::optional<bool> graded = m_graded.value(row - 1);
            grader = graded ? (*graded ? tr("pass") : tr("fail")) : tr("error");
            score = m_scores.value(row - 1);
        }
        const auto given = mine.find(criterion);
        const Verdict verdict = given != mine.end() ? given->second.verdict : Verdict::None;
        const auto agreed = agreement.find(criterion);
        auto *name = new QTableWidgetItem(row == 0 ? tr("Whole item") : criterion);
        if (row == 0) {
            QFont font = name->font();
            font.setItalic(true);
            name->setFont(font);
        }
        m_criteria->setItem(row, CriterionColumn, name);
        m_criteria->setItem(row, GraderColumn, new QTableWidgetItem(grader));
        m_criteria->setItem(row, ScoreColumn, new QTableWidgetItem(score));
        // The cell shows buttons and a label; the item keeps the word for copy and accessibility.
        auto *human = new QTableWidgetItem;
        human->setData(Qt::UserRole, verdictWord(verdict));
        human->setData(Qt::AccessibleTextRole,
                       verdict == Verdict::None ? tr("no verdict") : verdictWord(verdict));
        m_criteria->setItem(row, HumanColumn, human);
        m_criteria->setItem(row, AgreementColumn,
                            new QTableWidgetItem(agreed != agreement.end() ? agreementText(agreed->second)
                                                                           : tr("no verdicts to compare")));
        if (verdict != Verdict::None && grader != verdictWord(verdict).toLower()) {
            m_criteria->item(row, GraderColumn)->setForeground(QColor(0xb0, 0x3a, 0x2e));
            m_criteria->item(row, GraderColumn)->setToolTip(tr("The grader and you disagree"));
        }
        // Per-criterion judgement without the keyboard: two small buttons in the "You" cell.
        auto *cell = new QWidget(m_criteria);
        auto *cellLayout = new QHBoxLayout(cell);
        cellLayout->setContentsMargins(2, 0, 2, 0);
        cellLayout->setSpacing(2);
        for (const Verdict value : {Verdict::Pass, Verdict::Fail}) {
            auto *button = new QToolButton(cell);
            button->setText(value == Verdict::Pass ? QStringLiteral("✓") : QStringLiteral("✗"));
            button->setCheckable(true);
            button->setChecked(verdict == value);
            button->setEnabled(judging);
            button->setFocusPolicy(Qt::NoFocus);
            button->setAutoRaise(true);
            button->setToolTip(row == 0 ? (value == Verdict::Pass ? m_pass->toolTip() : m_fail->toolTip())
                                        : (value == Verdict::Pass
                                               ? tr("Mark “%1” Pass (Shift+P on the selected row)")
                                               : tr("Mark “%1” Fail (Shift+F on the selected row)"))
                                              .arg(criterion));
            connect(button, &QToolButton::clicked, this, [this, criterion, value](bool checked) {
                setVerdict(checked ? value : Verdict::None, criterion);
            });
            cellLayout->addWidget(button);
        }
        auto *label = new QLabel(verdict == Verdict::None ? QString() : verdictWord(verdict), cell);
        label->setTextFormat(Qt::PlainText);
        cellLayout->addWidget(label);
        cellLayout->addStretch(1);
        m_criteria->setCellWidget(row, HumanColumn, cell);
    }
    if (keepRow >= 0 && keepRow < m_criteria->rowCount())
        m_criteria->setCurrentCell(keepRow, CriterionColumn);
    int height = m_criteria->horizontalHeader()->height() + 2 * m_criteria->frameWidth();
    for (int row = 0; row < m_criteria->rowCount(); ++row)
        height += m_criteria->rowHeight(row);
    m_criteria->setFixedHeight(qMin(height, 220));

    const auto whole = mine.find(QString());
    QString line;
    if (whole == mine.end()) {
        line = tr("Your verdict: none yet (P pass, F fail, N note)");
    } else {
        line = whole->second.verdict == Verdict::None
                   ? tr("Your verdict: none")
                   : tr("Your verdict: %1").arg(verdictWord(whole->second.verdict));
        if (!whole->second.note.isEmpty())
            line += tr(" · Note: %1").arg(whole->second.note);
    }
    m_verdictLine->setText(line);
}

void ItemDrillDown::setVerdict(Verdict verdict, const QString &criterion)
{
    if (!m_verdicts || m_runId <= 0 || m_datasourceItemId < 0)
        return;
    const std::optional<HumanVerdict> before = m_verdicts->verdict(m_runId, m_datasourceItemId, criterion);
    HumanVerdict next;
    next.runId = m_runId;
    next.datasourceItemId = m_datasourceItemId;
    next.criterion = criterion;
    next.verdict = verdict;
    next.note = before ? before->note : QString();
    if (before && before->verdict == verdict)
        return; // nothing changes: no empty step on the undo stack
    if (!before && verdict == Verdict::None)
        return;
    const QString what = criterion.isEmpty() ? tr("item %1").arg(m_datasourceItemId)
                                             : tr("“%1” of item %2").arg(criterion).arg(m_datasourceItemId);
    const QString description = verdict == Verdict::None ? tr("Clear the verdict on %1").arg(what)
                                                         : tr("Mark %1 %2").arg(what, verdictWord(verdict));
    applyVerdict(next, description);
}

void ItemDrillDown::editNote()
{
    if (!m_verdicts || m_runId <= 0 || m_datasourceItemId < 0)
        return;
    const auto current = m_verdicts->verdict(m_runId, m_datasourceItemId, QString());
    m_noteEditor->setPlainText(current ? current->note : QString());
    m_noteBox->show();
    m_noteEditor->setFocus(Qt::ShortcutFocusReason);
    m_noteEditor->moveCursor(QTextCursor::End);
}

void ItemDrillDown::saveNote()
{
    if (!m_noteBox->isVisibleTo(this) || !m_verdicts || m_runId <= 0 || m_datasourceItemId < 0)
        return;
    const QString note = m_noteEditor->toPlainText().trimmed();
    const std::optional<HumanVerdict> before = m_verdicts->verdict(m_runId, m_datasourceItemId, QString());
    m_noteBox->hide();
    m_browser->setFocus(Qt::OtherFocusReason);
    if ((before ? before->note : QString()) == note)
        return;
    HumanVerdict next;
    next.runId = m_runId;
    next.datasourceItemId = m_datasourceItemId;
    next.verdict = before ? before->verdict : Verdict::None;
    next.note = note;
    applyVerdict(next, note.isEmpty() ? tr("Remove the note on item %1").arg(m_datasourceItemId)
                                      : tr("Note on item %1").arg(m_datasourceItemId));
}

void ItemDrillDown::cancelNote()
{
    if (!m_noteBox->isVisibleTo(this))
        return;
    m_noteBox->hide();
    m_browser->setFocus(Qt::OtherFocusReason);
}

void ItemDrillDown::applyVerdict(const HumanVerdict &next, const QString &description)
{
    const std::optional<HumanVerdict> before =
        m_verdicts->verdict(next.runId, next.datasourceItemId, next.criterion);
    auto *command = new VerdictCommand(m_verdicts, before, next, description);
    if (m_undo) {
        m_undo->push(command); // runs redo()
    } else {
        command->redo();
        delete command;
    }
    refreshVerdicts();
    Q_EMIT verdictChanged(next.runId, next.datasourceItemId);
    Q_EMIT statusMessage(description);
}

void ItemDrillDown::onVerdictsChanged(qint64 runId)
{
    if (runId == m_runId)
        refreshVerdicts();
}

QTextDocument *ItemDrillDown::document() const
{
    return m_browser->document();
}

QString ItemDrillDown::text() const
{
    return m_browser->document()->toPlainText();
}

QString ItemDrillDown::verdictText() const
{
    return m_verdictLine->text();
}

} // namespace assay::ui
