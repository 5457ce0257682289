#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace assay::ui {

// A titled group whose body folds away, so a long form shows the common settings first.
// The header can carry a short summary ("2 tools") that stays readable when folded.
class CollapsibleSection : public QWidget {
    Q_OBJECT
public:
    explicit CollapsibleSection(const QString &title, QWidget *parent = nullptr);

    // The body; give it a layout.
    QWidget *body() const { return m_body; }

    bool isExpanded() const;
    void setExpanded(bool expanded);

    void setSummary(const QString &summary);
    QString summary() const;

Q_SIGNALS:
    void expandedChanged(bool expanded);

private:
    QToolButton *m_header = nullptr;
    QLabel *m_summary = nullptr;
    QWidget *m_body = nullptr;
    bool m_expanded = true;
};

} // namespace assay::ui
