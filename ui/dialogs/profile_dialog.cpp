#include "ui/dialogs/profile_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include "models/api/request_record.h"
#include "models/api/secret_store.h"

namespace assay::ui {

using api::Profile;

namespace {

struct Preset {
    const char *label;
    const char *name;
    const char *url;
    Profile::KeySource source;
};

// OpenAI-compatible servers people commonly point Assay at (their documented default ports).
const Preset kPresets[] = {
    {"OpenAI", "OpenAI", "https://api.openai.com/v1", Profile::KeySource::Keychain},
    {"Ollama (local)", "Ollama", "http://localhost:11434/v1", Profile::KeySource::None},
    {"LM Studio (local)", "LM Studio", "http://localhost:1234/v1", Profile::KeySource::None},
    {"vLLM (local)", "vLLM", "http://localhost:8000/v1", Profile::KeySource::None},
    {"llama.cpp server (local)", "llama.cpp", "http://localhost:8080/v1", Profile::KeySource::None},
};

} // namespace

ProfileDialog::ProfileDialog(const QList<Profile> &profiles, const QString &currentName, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("profileDialog"));
    setWindowTitle(tr("Connection profiles"));
    resize(760, 480);

    auto *root = new QVBoxLayout(this);
    auto *columns = new QHBoxLayout;
    root->addLayout(columns, 1);

    auto *left = new QVBoxLayout;
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setMaximumWidth(210);
    left->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    auto *add = new QToolButton(this);
    add->setText(tr("Add"));
    add->setPopupMode(QToolButton::MenuButtonPopup);
    auto *presets = new QMenu(add);
    for (const Preset &preset : kPresets) {
        presets->addAction(QString::fromUtf8(preset.label), this, [this, preset]() {
            Profile profile;
            profile.name = QString::fromUtf8(preset.name);
            profile.baseUrl = QString::fromUtf8(preset.url);
            profile.keySource = preset.source;
            addProfile(profile);
        });
    }
    add->setMenu(presets);
    connect(add, &QToolButton::clicked, this, [this]() { addProfile(Profile{}); });
    auto *remove = new QToolButton(this);
    remove->setText(tr("Remove"));
    connect(remove, &QToolButton::clicked, this, &ProfileDialog::removeProfile);
    listButtons->addWidget(add);
    listButtons->addWidget(remove);
    listButtons->addStretch();
    left->addLayout(listButtons);
    columns->addLayout(left);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("profileName"));
    form->addRow(tr("&Name"), m_name);
    m_baseUrl = new QLineEdit(this);
    m_baseUrl->setObjectName(QStringLiteral("profileBaseUrl"));
    m_baseUrl->setPlaceholderText(QStringLiteral("https://api.openai.com/v1"));
    form->addRow(tr("&Base URL"), m_baseUrl);
    m_keySource = new QComboBox(this);
    m_keySource->setObjectName(QStringLiteral("profileKeySource"));
    m_keySource->addItem(tr("System keychain"), static_cast<int>(Profile::KeySource::Keychain));
    m_keySource->addItem(tr("Environment variable OPENAI_API_KEY"),
                         static_cast<int>(Profile::KeySource::Environment));
    m_keySource->addItem(tr("No key (local server)"), static_cast<int>(Profile::KeySource::None));
    form->addRow(tr("&Key source"), m_keySource);
    auto *keyRow = new QHBoxLayout;
    m_key = new QLineEdit(this);
    m_key->setObjectName(QStringLiteral("profileKey"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setAttribute(Qt::WA_InputMethodEnabled, false);
    keyRow->addWidget(m_key, 1);
    m_forgetKey = new QPushButton(tr("Forget stored key"), this);
    keyRow->addWidget(m_forgetKey);
    form->addRow(tr("API &key"), keyRow);
    m_keyHint = new QLabel(this);
    m_keyHint->setWordWrap(true);
    m_keyHint->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), m_keyHint);
    m_organization = new QLineEdit(this);
    m_organization->setPlaceholderText(tr("optional: OpenAI-Organization header (org-…)"));
    form->addRow(tr("&Organization"), m_organization);
    m_project = new QLineEdit(this);
    m_project->setPlaceholderText(tr("optional: OpenAI-Project header (proj_…)"));
    form->addRow(tr("&Project"), m_project);
    m_headers = new QTableWidget(0, 2, this);
    m_headers->setObjectName(QStringLiteral("profileHeaders"));
    m_headers->setHorizontalHeaderLabels({tr("Header"), tr("Value")});
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->hide();
    m_headers->setToolTip(tr("Sent with every request. Headers that carry credentials are not saved: "
                             "keep keys in the key field."));
    auto *headerButtons = new QHBoxLayout;
    auto *addHeader = new QToolButton(this);
    addHeader->setText(tr("Add header"));
    auto *removeHeader = new QToolButton(this);
    removeHeader->setText(tr("Remove header"));
    headerButtons->addWidget(addHeader);
    headerButtons->addWidget(removeHeader);
    headerButtons->addStretch();
    auto *headersBox = new QVBoxLayout;
    headersBox->addWidget(m_headers);
    headersBox->addLayout(headerButtons);
    form->addRow(tr("Extra &headers"), headersBox);
    columns->addLayout(form, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("profileError"));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->setWordWrap(true);
    m_error->hide();
    root->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    root->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ProfileDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ProfileDialog::reject);

    connect(addHeader, &QToolButton::clicked, this, [this]() {
        const int row = m_headers->rowCount();
        m_headers->insertRow(row);
        m_headers->setCurrentCell(row, 0);
        m_headers->editItem(m_headers->item(row, 0));
    });
    connect(removeHeader, &QToolButton::clicked, this, [this]() {
        if (m_headers->currentRow() >= 0)
            m_headers->removeRow(m_headers->currentRow());
    });
    connect(m_keySource, &QComboBox::currentIndexChanged, this, &ProfileDialog::updateKeyField);
    connect(m_forgetKey, &QPushButton::clicked, this, [this]() {
        if (m_row < 0)
            return;
        m_entries[static_cast<std::size_t>(m_row)].forgetKey = true;
        m_entries[static_cast<std::size_t>(m_row)].enteredKey.clear();
        m_key->clear();
        updateKeyField();
    });
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) {
        if (QListWidgetItem *item = m_list->item(m_row))
            item->setText(text);
    });
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loading)
            return;
        commit();
        load(row);
    });

    for (const Profile &profile : profiles)
        m_entries.push_back(Entry{profile, QString(), false});
    if (m_entries.empty())
        m_entries.push_back(Entry{Profile{}, QString(), false});
    int current = 0;
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        m_list->addItem(m_entries[i].profile.name);
        if (m_entries[i].profile.name == currentName)
            current = static_cast<int>(i);
    }
    m_loading = true;
    m_list->setCurrentRow(current);
    m_loading = false;
    load(current);
}

ProfileDialog::~ProfileDialog()
{
    // Typed keys live no longer than the dialog.
    for (Entry &entry : m_entries)
        entry.enteredKey.fill(QLatin1Char(' '));
}

void ProfileDialog::load(int row)
{
    m_row = row;
    if (row < 0 || row >= static_cast<int>(m_entries.size()))
        return;
    m_loading = true;
    const Entry &entry = m_entries[static_cast<std::size_t>(row)];
    const Profile &p = entry.profile;
    m_name->setText(p.name);
    m_baseUrl->setText(p.baseUrl);
    m_keySource->setCurrentIndex(m_keySource->findData(static_cast<int>(p.keySource)));
    m_key->setText(entry.enteredKey);
    m_organization->setText(p.organization);
    m_project->setText(p.project);
    m_headers->setRowCount(0);
    for (const auto &[name, value] : p.extraHeaders) {
        const int r = m_headers->rowCount();
        m_headers->insertRow(r);
        m_headers->setItem(r, 0, new QTableWidgetItem(name));
        m_headers->setItem(r, 1, new QTableWidgetItem(value));
    }
    m_loading = false;
    updateKeyField();
}

void ProfileDialog::commit()
{
    if (m_row < 0 || m_row >= static_cast<int>(m_entries.size()))
        return;
    Entry &entry = m_entries[static_cast<std::size_t>(m_row)];
    Profile &p = entry.profile;
    p.name = m_name->text().trimmed();
    p.baseUrl = m_baseUrl->text().trimmed();
    p.keySource = static_cast<Profile::KeySource>(m_keySource->currentData().toInt());
    entry.enteredKey = m_key->text().trimmed();
    if (!entry.enteredKey.isEmpty())
        entry.forgetKey = false;
    p.organization = m_organization->text().trimmed();
    p.project = m_project->text().trimmed();
    p.extraHeaders.clear();
    for (int r = 0; r < m_headers->rowCount(); ++r) {
        const QString name = m_headers->item(r, 0) ? m_headers->item(r, 0)->text().trimmed() : QString();
        const QString value = m_headers->item(r, 1) ? m_headers->item(r, 1)->text() : QString();
        if (!name.isEmpty())
            p.extraHeaders.append({name, value});
    }
}

void ProfileDialog::addProfile(const Profile &preset)
{
    commit();
    Profile profile = preset;
    QString name = profile.name;
    for (int n = 2;; ++n) {
        const bool taken = std::any_of(m_entries.begin(), m_entries.end(),
                                       [&](const Entry &e) { return e.profile.name == name; });
        if (!taken)
            break;
        name = QStringLiteral("%1 %2").arg(profile.name).arg(n);
    }
    profile.name = name;
    m_entries.push_back(Entry{profile, QString(), false});
    m_loading = true;
    m_list->addItem(name);
    m_list->setCurrentRow(m_list->count() - 1);
    m_loading = false;
    load(m_list->count() - 1);
    m_name->setFocus();
    m_name->selectAll();
}

void ProfileDialog::removeProfile()
{
    if (m_row < 0 || m_entries.size() <= 1)
        return;
    m_entries.erase(m_entries.begin() + m_row);
    m_loading = true;
    delete m_list->takeItem(m_row);
    const int row = std::min(m_row, static_cast<int>(m_entries.size()) - 1);
    m_list->setCurrentRow(row);
    m_loading = false;
    load(row);
}

void ProfileDialog::updateKeyField()
{
    if (m_loading)
        return;
    const auto source = static_cast<Profile::KeySource>(m_keySource->currentData().toInt());
    const bool forget = m_row >= 0 && m_entries[static_cast<std::size_t>(m_row)].forgetKey;
    m_key->setEnabled(source == Profile::KeySource::Keychain);
    m_forgetKey->setVisible(source == Profile::KeySource::Keychain);
    m_forgetKey->setEnabled(!forget);
    switch (source) {
    case Profile::KeySource::Keychain:
        m_key->setPlaceholderText(forget ? tr("The stored key will be forgotten")
                                         : tr("Type a key to store or replace it"));
        m_keyHint->setText(
            tr("Kept in the system keychain, never in settings or files, and never shown again. "
               "Without a keychain service it is kept in memory until Assay quits."));
        break;
    case Profile::KeySource::Environment:
        m_key->clear();
        m_key->setPlaceholderText(api::SecretStore::environmentKey().isEmpty()
                                      ? tr("OPENAI_API_KEY is not set")
                                      : tr("Read from OPENAI_API_KEY (set)"));
        m_keyHint->setText(tr("Set OPENAI_API_KEY in the environment before starting Assay."));
        break;
    case Profile::KeySource::None:
        m_key->clear();
        m_key->setPlaceholderText(tr("No key is sent"));
        m_keyHint->setText(tr("For local OpenAI-compatible servers (Ollama, LM Studio, vLLM, llama.cpp)."));
        break;
    }
}

QString ProfileDialog::validate() const
{
    QStringList names;
    for (const Entry &entry : m_entries) {
        const Profile &p = entry.profile;
        if (p.name.isEmpty())
            return tr("Every profile needs a name.");
        if (names.contains(p.name))
            return tr("Two profiles are named \"%1\": names must be unique.").arg(p.name);
        names << p.name;
        const QUrl url(p.baseUrl);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
            url.host().isEmpty())
            return tr("Profile \"%1\": the base URL must be an http(s) address, e.g. "
                      "https://api.openai.com/v1.")
                .arg(p.name);
        for (const auto &[name, value] : p.extraHeaders) {
            if (api::RequestRecord::isSecretHeader(name.toUtf8()))
                return tr("Profile \"%1\": header \"%2\" carries a credential; it would not be saved. Put "
                          "the key "
                          "in the key field instead.")
                    .arg(p.name, name);
        }
    }
    return {};
}

void ProfileDialog::accept()
{
    commit();
    const QString problem = validate();
    m_error->setText(problem);
    m_error->setVisible(!problem.isEmpty());
    if (problem.isEmpty())
        QDialog::accept();
}

QList<Profile> ProfileDialog::profiles() const
{
    QList<Profile> list;
    for (const Entry &entry : m_entries)
        list.append(entry.profile);
    return list;
}

QString ProfileDialog::currentProfileName() const
{
    return m_row >= 0 && m_row < static_cast<int>(m_entries.size())
               ? m_entries[static_cast<std::size_t>(m_row)].profile.name
               : QString();
}

QHash<QString, QString> ProfileDialog::enteredKeys() const
{
    QHash<QString, QString> keys;
    for (const Entry &entry : m_entries) {
        if (entry.profile.keySource == Profile::KeySource::Keychain && !entry.enteredKey.isEmpty())
            keys.insert(entry.profile.name, entry.enteredKey);
    }
    return keys;
}

QList<Profile> ProfileDialog::forgottenKeys() const
{
    QList<Profile> list;
    for (const Entry &entry : m_entries) {
        if (entry.forgetKey)
            list.append(entry.profile);
    }
    return list;
}

} // namespace assay::ui
