#pragma once

#include <vector>

#include <QDialog>
#include <QHash>

#include "models/api/profile.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace assay::ui {

// Connection profiles: name, base URL, where the key comes from (system keychain or
// OPENAI_API_KEY, or none for a local server), the key itself (typed into a password field and
// handed to SecretStore by the caller; a stored key is never shown back), organization, project
// and extra headers.
class ProfileDialog : public QDialog {
    Q_OBJECT
public:
    ProfileDialog(const QList<api::Profile> &profiles, const QString &currentName, QWidget *parent = nullptr);
    ~ProfileDialog() override;

    QList<api::Profile> profiles() const;
    QString currentProfileName() const;
    // Keys typed here, by (final) profile name: only for profiles that use the keychain.
    QHash<QString, QString> enteredKeys() const;
    // Profiles whose stored key the user asked to forget.
    QList<api::Profile> forgottenKeys() const;

    void accept() override;

private:
    struct Entry {
        api::Profile profile;
        QString enteredKey;
        bool forgetKey = false;
    };

    void load(int row);
    void commit();
    void addProfile(const api::Profile &preset);
    void removeProfile();
    void updateKeyField();
    QString validate() const;

    std::vector<Entry> m_entries;
    int m_row = -1;
    bool m_loading = false;

    QListWidget *m_list = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QComboBox *m_keySource = nullptr;
    QLineEdit *m_key = nullptr;
    QPushButton *m_forgetKey = nullptr;
    QLabel *m_keyHint = nullptr;
    QLineEdit *m_organization = nullptr;
    QLineEdit *m_project = nullptr;
    QTableWidget *m_headers = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace assay::ui
