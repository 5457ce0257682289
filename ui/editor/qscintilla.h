#pragma once

// Include QScintilla through this header. Its headers use the bare `signals`/`slots` keywords,
// which the project's QT_NO_KEYWORDS turns off; map them to Qt's macros for just these headers.
#ifndef signals
#define ASSAY_DEFINED_SIGNALS
#define signals Q_SIGNALS
#endif
#ifndef slots
#define ASSAY_DEFINED_SLOTS
#define slots Q_SLOTS
#endif

#include <Qsci/qscilexerjson.h>
#include <Qsci/qsciscintilla.h>

#ifdef ASSAY_DEFINED_SIGNALS
#undef signals
#undef ASSAY_DEFINED_SIGNALS
#endif
#ifdef ASSAY_DEFINED_SLOTS
#undef slots
#undef ASSAY_DEFINED_SLOTS
#endif
