#include "models/dataset/source_buffer.h"

#include <QFile>

#ifdef Q_OS_UNIX
#include <sys/mman.h>
#endif

namespace assay::dataset {

std::shared_ptr<SourceBuffer> SourceBuffer::mapFile(const QString &path, QString *error)
{
    std::shared_ptr<SourceBuffer> buffer(new SourceBuffer);
    buffer->m_file = std::make_unique<QFile>(path);
    if (!buffer->m_file->open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2").arg(path, buffer->m_file->errorString());
        return nullptr;
    }
    const qint64 size = buffer->m_file->size();
    if (size > 0) {
        buffer->m_map = buffer->m_file->map(0, size);
        if (!buffer->m_map) {
            if (error)
                *error =
                    QStringLiteral("cannot map %1 into memory: %2").arg(path, buffer->m_file->errorString());
            return nullptr;
        }
        buffer->m_bytes =
            std::string_view(reinterpret_cast<const char *>(buffer->m_map), static_cast<std::size_t>(size));
    }
    return buffer;
}

std::shared_ptr<SourceBuffer> SourceBuffer::fromText(std::string text)
{
    std::shared_ptr<SourceBuffer> buffer(new SourceBuffer);
    buffer->m_text = std::move(text);
    buffer->m_bytes = buffer->m_text;
    return buffer;
}

SourceBuffer::~SourceBuffer()
{
    if (m_map)
        m_file->unmap(m_map);
}

void SourceBuffer::adviseSequential(bool sequential) const
{
#ifdef Q_OS_UNIX
    if (m_map)
        posix_madvise(m_map, m_bytes.size(), sequential ? POSIX_MADV_SEQUENTIAL : POSIX_MADV_NORMAL);
#else
    Q_UNUSED(sequential);
#endif
}

} // namespace assay::dataset
