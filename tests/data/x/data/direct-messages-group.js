window.YTD.direct_messages_group.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "1773998599173058617",
      "messages" : [
        {
          "messageCreate" : {
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "everyone knows what she did",
            "mediaUrls" : [ ],
            "senderId" : "555000111",
            "id" : "1773998599173058700",
            "createdAt" : "2024-03-30T09:00:00.020Z"
          }
        },
        {
          "conversationNameUpdate" : {
            "initiatingUserId" : "987654321",
            "name" : "exposing her",
            "createdAt" : "2024-03-30T09:00:00.010Z"
          }
        },
        {
          "messageCreate" : {
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "added her so she can see this",
            "mediaUrls" : [ ],
            "senderId" : "987654321",
            "id" : "1773998599173058617",
            "createdAt" : "2024-03-30T09:00:00.000Z"
          }
        },
        {
          "joinConversation" : {
            "initiatingUserId" : "987654321",
            "participantsSnapshot" : [ "987654321", "555000111", "12497" ],
            "createdAt" : "2024-03-30T08:59:59.000Z"
          }
        }
      ]
    }
  }
]
