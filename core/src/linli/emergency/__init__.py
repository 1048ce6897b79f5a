"""The emergency channel (应急响应通道): emergencies operators declare for communities."""
