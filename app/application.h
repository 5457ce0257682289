#pragma once

#include <memory>

#include <QStringList>

namespace assay::store {
class Workspace;
}

namespace assay::ui {
class DatasetPanel;
class EvalRunsPanel;
class ResultsPanel;
class MainWindow;
} // namespace assay::ui

namespace assay {

// Wires the desktop workbench together: the main window, the workspace database and the panels
// that live in docks (Datasets, Eval Runs; Charts later). Owns what outlives one panel.
class Application {
public:
    Application();
    ~Application();

    // Shows the window; `files` (from the command line) are opened as datasets.
    void start(const QStringList &files);

private:
    void openWorkspace();
    void installDatasetPanel();
    void installEvalRunsPanel();
    void installResultsPanel();
    void installComparisonAction();
    void openComparison();

    std::unique_ptr<store::Workspace> m_workspace;
    std::unique_ptr<ui::MainWindow> m_window;
    ui::DatasetPanel *m_datasets = nullptr; // owned by its dock in the window
    ui::EvalRunsPanel *m_evalRuns = nullptr; // owned by its dock in the window
    ui::ResultsPanel *m_results = nullptr;   // owned by its dock in the window
};

} // namespace assay
