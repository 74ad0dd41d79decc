// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Bodies for tst_transcriptionturn: the typical live turn, variants of it, and the table of
// hand-written cases that parse() must answer exactly like the QJsonDocument reference.

#include <QByteArray>
#include <QList>
#include <QPair>

namespace turnbodies {

using Members = QList<QPair<QByteArray, QByteArray>>; ///< key → raw JSON value, in order

/** The benchmark's typical body, as members. */
extern const Members TypicalMembers;

QByteArray object(const Members &members);                     ///< compact {"key":value,...}
QByteArray typical();                                          ///< object(TypicalMembers)
QByteArray with(const QByteArray &key, const QByteArray &raw); ///< typical, key set or appended
QByteArray without(const QByteArray &key);                     ///< typical without key

/** Adds columns body (QByteArray) and handled (bool: the fast path answers) and the rows. */
void addTranscriptionTurnRows();

} // namespace turnbodies
