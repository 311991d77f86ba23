"""The fixed lines the runtime says on its own (compliance, reprompts, silence). Each may use
the definition's {{variables}}; they are kept short because they are spoken."""

REPROMPT = "Sorry, I didn't catch that."
SILENCE_REMINDER = "Are you still there?"
UNRESPONSIVE_GOODBYE = "I'll let you go for now. Goodbye."
IDENTITY_ANSWER = "This is {{agent_name}}, an automated assistant calling from {{company}}."
ROBOT_ANSWER = "I'm an automated assistant calling for {{company}}, not a person."
DONT_KNOW = "I don't have that information, but {{company}} can help at {{callback_number}}."
OPT_OUT_GOODBYE = (
    "I understand, and I'm sorry for the trouble. We won't call this number again. Goodbye."
)
CALLBACK_ASK = "No problem. When would be a better time to call you back?"
CALLBACK_CONFIRM = "Thank you. We'll call you back on {{callback_when}}. Goodbye."
CALLBACK_NO_TIME = "No problem, we'll try again another time. Goodbye."
HUMAN_TRANSFER = "Of course, let me connect you with someone now."
HUMAN_CALLBACK = (
    "I can't transfer you right now, but someone from {{company}} can call you back. "
    "When would suit you?"
)
TRANSFER_FAILED = "I'm sorry, nobody is available to take the call right now."
GIVE_UP = (
    "I'm sorry, I'm having trouble understanding. You can reach {{company}} at "
    "{{callback_number}}. Goodbye."
)
