// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/logging.h"

Q_LOGGING_CATEGORY(lcElevenLabs, "callwatch.elevenlabs")
Q_LOGGING_CATEGORY(lcSandbox, "callwatch.elevenlabs.sandbox")
