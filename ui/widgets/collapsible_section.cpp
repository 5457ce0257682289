#include "ui/widgets/collapsible_section.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace assay::ui {

CollapsibleSection::CollapsibleSection(const QString &title, QWidget *parent) : QWidget(parent)
{
    m_header = new QToolButton(this);
    m_header->setObjectName(QStringLiteral("sectionHeader"));
    m_header->setText(title);
    // Not checkable: a checked tool button is drawn pressed, which reads as a toggle, not a title.
    m_header->setAutoRaise(true);
    m_header->setFocusPolicy(Qt::TabFocus);
    m_header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_header->setArrowType(Qt::DownArrow);
    m_header->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    QFont headerFont = m_header->font();
    headerFont.setBold(true);
    m_header->setFont(headerFont);

    m_summary = new QLabel(this);
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    m_summary->setVisible(false);

    auto *rule = new QFrame(this);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Sunken);

    m_body = new QWidget(this);

    auto *headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(0, 0, 4, 0);
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_summary);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(headerRow);
    layout->addWidget(rule);
    layout->addWidget(m_body);

    connect(m_header, &QToolButton::clicked, this, [this] { setExpanded(!m_expanded); });
}

bool CollapsibleSection::isExpanded() const
{
    return m_expanded;
}

void CollapsibleSection::setExpanded(bool expanded)
{
    if (expanded == m_expanded)
        return;
    m_expanded = expanded;
    m_header->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_header->setAccessibleDescription(expanded ? tr("Expanded") : tr("Collapsed"));
    m_body->setVisible(expanded);
    Q_EMIT expandedChanged(expanded);
}

void CollapsibleSection::setSummary(const QString &summary)
{
    m_summary->setText(summary);
    m_summary->setVisible(!summary.isEmpty());
}

QString CollapsibleSection::summary() const
{
    return m_summary->text();
}

} // namespace assay::ui
