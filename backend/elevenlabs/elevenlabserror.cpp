// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/elevenlabserror.h"

using namespace Qt::StringLiterals;

namespace callwatch::elevenlabs {

QString ElevenLabsError::kindName() const
{
    switch (kind) {
    case Kind::Network:
        return u"network"_s;
    case Kind::Timeout:
        return u"timeout"_s;
    case Kind::Http:
        return u"http"_s;
    case Kind::InvalidResponse:
        return u"invalid_response"_s;
    case Kind::Rejected:
        return u"rejected"_s;
    }
    return u"network"_s;
}

QString ElevenLabsError::callFailureReason() const
{
    switch (kind) {
    case Kind::Timeout:
        return u"timeout"_s;
    case Kind::Http:
        return message.isEmpty() ? u"api_error: %1"_s.arg(httpStatus)
                                 : u"api_error: %1 %2"_s.arg(httpStatus).arg(message);
    case Kind::Rejected:
        return message.isEmpty() ? u"rejected"_s : message;
    case Kind::InvalidResponse:
        return u"invalid_response: "_s + message;
    case Kind::Network:
        break;
    }
    return u"network_error: "_s + message;
}

} // namespace callwatch::elevenlabs
