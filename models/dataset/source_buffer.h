#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <QString>

class QFile;

namespace assay::dataset {

// The bytes a document was read from: a memory-mapped file (QFile::map), or text held in memory
// for a document built from rows. Shared (shared_ptr) by the document and its workers, so a
// mapping outlives whoever still reads it.
class SourceBuffer {
public:
    static std::shared_ptr<SourceBuffer> mapFile(const QString &path, QString *error);
    static std::shared_ptr<SourceBuffer> fromText(std::string text);
    ~SourceBuffer();
    SourceBuffer(const SourceBuffer &) = delete;
    SourceBuffer &operator=(const SourceBuffer &) = delete;

    std::string_view bytes() const { return m_bytes; }
    bool isMapped() const { return m_map != nullptr; }
    // Page-cache hints for the mapping: sequential while indexing, normal afterwards.
    void adviseSequential(bool sequential) const;

private:
    SourceBuffer() = default;

    std::unique_ptr<QFile> m_file;
    unsigned char *m_map = nullptr;
    std::string m_text;
    std::string_view m_bytes;
};

} // namespace assay::dataset
