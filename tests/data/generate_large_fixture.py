#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes post_call_transcription_1mb.json: a post_call_transcription webhook whose transcript is
about 1 MB, for parser, body-limit and benchmark tests. Deterministic (own LCG, no `random`), so
re-running it reproduces the committed file byte for byte:

    python3 tests/data/generate_large_fixture.py
"""
import json
import os

TURNS = 1280
AGENT_ID = "agent_4301k4x8q2zf5e7tmb6rj9nw3c"
CONVERSATION_ID = "conv_1m01k4xf8ts2q6w9e3r5y7u1io"

SUBJECTS = ["The trailer", "Your ELD", "The reefer unit", "Dispatch", "The receiver in Gary",
            "The weigh station on I-94", "My co-driver", "The yard in Joliet", "The telematics box",
            "The shipper", "Route 30", "The fuel stop in Effingham"]
VERBS = ["reported", "flagged", "held", "logged", "showed", "delayed", "rerouted", "confirmed",
         "missed", "rechecked"]
OBJECTS = ["a hard-braking event near mile marker 112", "the 34-hour restart", "a 38 °F setpoint",
           "two unassigned driving segments", "the load for almost three hours",
           "a \"check tire pressure\" warning", "our appointment window — again",
           "the pre-trip inspection at 05:10", "a seal number that didn't match",
           "the detour around the bridge work"]
TAILS = ["so I called it in.", "and nobody picked up at first.", "which put me behind.",
         "but the log is correct now.", "and I noted it on the DVIR.", "before the break started.",
         "so we swapped the trailer.", "and the ETA moved to 16:45."]


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def next(self, bound):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.state >> 33) % bound


def sentence(rng):
    return "%s %s %s %s" % (SUBJECTS[rng.next(len(SUBJECTS))], VERBS[rng.next(len(VERBS))],
                            OBJECTS[rng.next(len(OBJECTS))], TAILS[rng.next(len(TAILS))])


def message(rng, index):
    text = " ".join(sentence(rng) for _ in range(4 + rng.next(4)))
    if index % 97 == 0:
        text += "\nSecond line after a pause."
    return text


def turn(rng, index):
    role = "agent" if index % 2 == 0 else "user"
    item = {
        "role": role,
        "agent_metadata": {"agent_id": AGENT_ID, "workflow_node_id": None} if role == "agent" else None,
        "message": message(rng, index),
        "multivoice_message": None,
        "tool_calls": [],
        "tool_results": [],
        "feedback": None,
        "llm_override": None,
        "time_in_call_secs": index * 2,
        "conversation_turn_metrics": (
            {"convai_llm_service_ttfb": {"elapsed_time": 0.25 + rng.next(40) / 100}}
            if role == "agent" else None),
        "rag_retrieval_info": None,
        "llm_usage": None,
        "interrupted": index % 41 == 0,
        "original_message": None,
        "source_medium": "audio",
    }
    if role == "agent" and index % 50 == 0:
        request = "toolu_lg%06d" % index
        item["tool_calls"] = [{"type": "webhook", "request_id": request, "tool_name": "get_eld_segment",
                               "params_as_json": json.dumps({"segment": index}),
                               "tool_has_been_called": True, "tool_details": {"type": "webhook"}}]
        item["tool_results"] = [{"type": "webhook", "request_id": request, "tool_name": "get_eld_segment",
                                 "result_value": json.dumps({"segment": index, "minutes": 30 + index % 60}),
                                 "is_error": False, "tool_has_been_called": True,
                                 "tool_latency_secs": 0.2, "dynamic_variable_updates": []}]
    return item


def main():
    rng = Lcg(20250214)
    transcript = [turn(rng, i) for i in range(TURNS)]
    document = {
        "type": "post_call_transcription",
        "event_timestamp": 1739550000,
        "data": {
            "agent_id": AGENT_ID,
            "agent_name": "Northline Fleet Safety",
            "conversation_id": CONVERSATION_ID,
            "status": "done",
            "user_id": None,
            "transcript": transcript,
            "metadata": {
                "start_time_unix_secs": 1739546980,
                "call_duration_secs": TURNS * 2,
                "cost": 15530.5,
                "termination_reason": "Call ended by remote party",
                "phone_call": {"type": "sip_trunking", "direction": "inbound",
                               "phone_number_id": "phnum_01jf8m3q5r7t9v1x3z5b7d9f1h",
                               "agent_number": "+13125550148", "external_number": "+12195550164",
                               "call_sid": "sip_c0a801fe-5b7e-4d8a-9e1f-2a3b4c5d6e7f",
                               "call_id": "c0a801fe-5b7e-4d8a-9e1f-2a3b4c5d6e7f"},
                "batch_call": None,
            },
            "analysis": {
                "evaluation_criteria_results": {},
                "data_collection_results": {},
                "call_successful": "unknown",
                "transcript_summary": "A long inbound call reviewing a week of ELD segments.",
                "call_summary_title": None,
            },
            "conversation_initiation_client_data": {
                "dynamic_variables": {"callwatch_call_sid": "cw_1m0000000000000000000042", "driver_id": 1077},
            },
            "has_audio": False,
            "has_user_audio": False,
            "has_response_audio": False,
        },
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "post_call_transcription_1mb.json")
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
